import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_HEADER } from '../../domain/accompagnement/index.js';
import { CommuneCodes } from '../../domain/geography/index.js';
import {
  HeaderError,
  type ImportSetup,
  importRules,
  type ReadBatch,
  readExchangeFile,
} from './import-reader.js';

const STRUCTURE = {
  id: '00000000-0000-4000-8000-000000000001',
  idFs: 'fs-1',
  departement: '02',
  zone: 'Europe/Paris',
};
const setup = (batchSize = 3, windowRows = batchSize): ImportSetup => ({
  file: 'unused.csv',
  now: '2026-11-24T09:30:00Z',
  demarches: [['caf.rsa', 'caf']],
  structures: [STRUCTURE],
  batchSize,
  batchBytes: 1024 * 1024,
  windowRows,
  windowBytes: 1024 * 1024,
});
const communes = CommuneCodes.parse('code,actuel\n02691,\n02001,02691\n');
const row = (id: string, o: Partial<Record<string, string>> = {}) =>
  [
    id,
    o.id_fs ?? 'fs-1',
    o.debut ?? '2026-05-04T23:30:00+02:00',
    o.duree_min ?? '20',
    'guichet',
    'caf',
    'caf.rsa',
    'resolu',
    '',
    o.commune_usager ?? '02001',
  ].join(',');
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function read(text: string, batchSize = 3, windowRows = batchSize) {
  const batches: ReadBatch[] = [];
  const headers: unknown[] = [];
  const s = setup(batchSize, windowRows);
  const end = await readExchangeFile(Readable.from([text]), s, importRules(s, communes), {
    header: (fields) => {
      headers.push(fields);
    },
    batch: async (b) => {
      batches.push(b);
    },
  });
  return { end, batches, headers };
}

describe('reading an exchange file (the import’s reading thread)', () => {
  it('cuts batches, writes rows as the insert reads them, and reports bad lines with their number', async () => {
    const text = [
      '# DONNÉES SYNTHÉTIQUES',
      EXCHANGE_HEADER,
      row(uuid(1)),
      row(uuid(2), { commune_usager: '99999' }),
      row(uuid(3), { id_fs: 'inconnue' }),
      row(uuid(1)),
      row(uuid(4)),
      row(uuid(4), { duree_min: '30' }),
      '"mal,fermé,',
    ].join('\n');
    const { end, batches, headers } = await read(text);
    expect(end).toEqual({ sawSynthetic: true, rows: 6 });
    expect(headers).toHaveLength(1);
    expect(batches[0]?.rowsRead).toBe(3);
    expect(batches.at(-1)?.rowsRead).toBe(6);
    const rows = batches.flatMap((b) => JSON.parse(b.json));
    // uuid(1) again in the second batch is another batch: the database tells it unchanged.
    expect(rows.map((r: { id: string }) => r.id)).toEqual([uuid(1), uuid(1), uuid(4)]);
    expect(rows[0]).toMatchObject({
      structure_id: STRUCTURE.id,
      departement: '02',
      jour_local: '2026-05-04',
      commune_usager: '02691',
      source: 'import',
      agent_id: null,
    });
    expect(batches[0]?.partitionMonths).toEqual(['2026-05']);
    const rejected = batches.flatMap((b) => b.rejected).sort((a, b) => a.index - b.index);
    expect(rejected.map((r) => [r.index, r.field])).toEqual([
      [4, 'commune_usager'],
      [5, 'id_fs'],
      [8, 'id'],
      [9, 'ligne'],
    ]);
  });

  it('refuses another format before any batch', async () => {
    await expect(read(`nom,prenom\n${row(uuid(1))}\n`)).rejects.toBeInstanceOf(HeaderError);
    await expect(read('')).rejects.toThrow(/Fichier vide/);
  });

  it('counts same-content repeats inside a batch as unchanged', async () => {
    const { batches } = await read([EXCHANGE_HEADER, row(uuid(1)), row(uuid(1))].join('\n'));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ size: 1, unchanged: 1, rejected: [] });
  });

  it('writes a window’s rows sorted by month and id, in batches of at most the batch size', async () => {
    const months = ['2026-09', '2026-03', '2026-06', '2026-03', '2026-09', '2026-06', '2026-03'];
    const text = [
      EXCHANGE_HEADER,
      ...months.map((m, i) => row(uuid(90 - i), { debut: `${m}-10T10:00:00+02:00` })),
    ].join('\n');
    const { batches } = await read(text, 2, 6);
    expect(batches.every((b) => b.size <= 2)).toBe(true);
    const written = batches.flatMap((b) => JSON.parse(b.json) as Array<{ id: string; debut: string }>);
    expect(written).toHaveLength(7);
    // The first window (6 rows) sorted, then the seventh row alone.
    const keys = written.map((r) => `${r.debut.slice(0, 7)} ${r.id.slice(-2)}`);
    expect(keys).toEqual([
      '2026-03 87',
      '2026-03 89',
      '2026-06 85',
      '2026-06 88',
      '2026-09 86',
      '2026-09 90',
      '2026-03 84',
    ]);
    for (const b of batches)
      expect(b.partitionMonths).toEqual([
        ...new Set((JSON.parse(b.json) as Array<{ debut: string }>).map((r) => r.debut.slice(0, 7))),
      ]);
  });

  it('keeps the later line of an id repeated in a window: unchanged if the same, else it replaces the earlier', async () => {
    const text = [
      EXCHANGE_HEADER,
      row(uuid(1)),
      row(uuid(2)),
      row(uuid(3)),
      row(uuid(1)),
      row(uuid(2), { duree_min: '45' }),
    ].join('\n');
    const { batches } = await read(text, 2, 10);
    const written = batches.flatMap((b) => JSON.parse(b.json) as Array<{ id: string; duree_min: number }>);
    expect(written.map((r) => [r.id, r.duree_min])).toEqual([
      [uuid(1), 20],
      [uuid(2), 45],
      [uuid(3), 20],
    ]);
    expect(batches.reduce((n, b) => n + b.unchanged, 0)).toBe(1);
    expect(batches.reduce((n, b) => n + b.superseded, 0)).toBe(1);
  });

  it('flushes a window of bad lines too: what it holds stays bounded', async () => {
    const text = [
      EXCHANGE_HEADER,
      ...Array.from({ length: 25 }, (_, i) => row(uuid(i), { id_fs: 'x' })),
    ].join('\n');
    const { batches } = await read(text, 2, 4);
    expect(batches.length).toBeGreaterThanOrEqual(6);
    expect(batches.every((b) => b.size === 0 && b.rejected.length <= 4 + 2)).toBe(true);
    expect(batches.flatMap((b) => b.rejected.map((r) => r.index))).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 2),
    );
  });
});
