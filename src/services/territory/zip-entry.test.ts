import { describe, expect, it } from 'vitest';
import { zipOf } from '../../../test/support/producer-fixtures.js';
import { isZip, zipEntry } from './zip-entry.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('zipEntry', () => {
  const archive = zipOf({
    'LISEZMOI.txt': 'bonjour',
    'GEOJSON/QP2024.geojson': '{"type":"FeatureCollection"}',
  });

  it('finds an entry by the end of its path, whatever the case, and inflates it', () => {
    expect(isZip(archive)).toBe(true);
    expect(isZip(Buffer.from('{"type":'))).toBe(false);
    expect(text(zipEntry(archive, 'qp2024.geojson', 1000))).toBe('{"type":"FeatureCollection"}');
  });

  it('names what the archive holds when the entry is absent', () => {
    expect(() => zipEntry(archive, 'QPV.geojson', 1000)).toThrow(
      'pas de fichier « QPV.geojson » dans l’archive (elle contient : LISEZMOI.txt, GEOJSON/QP2024.geojson).',
    );
  });

  it('refuses a truncated archive, a damaged entry, and an entry larger than the limit (zip bomb)', () => {
    expect(() => zipEntry(archive.subarray(0, archive.length - 30), 'QP2024.geojson', 1000)).toThrow(
      /archive ZIP illisible ou abîmée \(fichier tronqué \?\)/,
    );
    const damaged = Buffer.from(archive);
    const data = 30 + 'LISEZMOI.txt'.length; // first byte of the first entry's deflated data
    damaged.writeUInt8(damaged.readUInt8(data) ^ 0xff, data);
    expect(() => zipEntry(damaged, 'LISEZMOI.txt', 1000)).toThrow(
      /archive ZIP illisible ou abîmée|LISEZMOI\.txt : contenu abîmé/,
    );
    const bomb = zipOf({ 'big.geojson': ' '.repeat(100_000) });
    expect(bomb.length).toBeLessThan(1000);
    expect(() => zipEntry(bomb, 'big.geojson', 10_000)).toThrow(
      'big.geojson : 100000 octets une fois décompressé, au-delà de la limite de 10000.',
    );
  });
});
