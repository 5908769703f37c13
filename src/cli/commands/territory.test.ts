import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { territoryFixtureDir } from '../../../test/support/territory-fixtures.js';
import { readReferenceFolder } from '../../services/territory/reference-folder.js';
import { planRequest, runRefSync, whatIfChange } from './territory.js';

const FIXTURES = territoryFixtureDir();

// `ref sync` against a local mirror started by the test (no test reaches the internet).
let server: Server;
let base: string;
const requested: string[] = [];
let out: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/miroir\//, '');
    requested.push(name);
    try {
      const body = readFileSync(join(FIXTURES, name));
      res.setHeader('content-length', String(body.length));
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end('absent');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/miroir/`;
  out = await mkdtemp(join(tmpdir(), 'maillage-sync-'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(out, { recursive: true, force: true });
});

describe('maillage ref sync', () => {
  it('downloads every reference file from a mirror into a folder that ref load accepts', async () => {
    const r = await runRefSync({ out, from: base });
    expect(r.missing).toEqual([]);
    expect(r.downloaded).toHaveLength(8);
    expect((await readdir(out)).sort()).toEqual([...r.downloaded].sort());
    expect(await readFile(join(out, 'cantons.csv'), 'utf8')).toBe(
      readFileSync(join(FIXTURES, 'cantons.csv'), 'utf8'),
    );
    const folder = await readReferenceFolder(out);
    expect(folder.communes.rows).toHaveLength(6);
  });

  it('stops with a clear message when the mirror lacks a file', async () => {
    const dir = join(out, 'partiel');
    await expect(runRefSync({ out: dir, from: `${base}inexistant/` })).rejects.toThrow(/a répondu 404/);
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});

describe('CLI arguments', () => {
  it('reads plan arguments and names the one at fault', () => {
    expect(planRequest({ k: '5', minutes: '20' })).toMatchObject({ k: 5, minutes: 20, exact: false });
    expect(planRequest({ k: '3', radiusKm: '10' })).toMatchObject({ k: 3, minutes: undefined, radiusKm: 10 });
    expect(planRequest({ k: '3' }).minutes).toBe(20);
    expect(planRequest({ k: '3', candidates: 'bureaux' }).candidateSet).toBe('bureaux');
    expect(planRequest({ k: '3', candidates: '02691, 02722' }).candidates).toEqual(['02691', '02722']);
    expect(() => planRequest({})).toThrow(expect.objectContaining({ field: '--k' }));
    expect(() => planRequest({ k: '2.5' })).toThrow(expect.objectContaining({ field: '--k' }));
    expect(() => planRequest({ k: '2', minutes: 'vingt' })).toThrow(
      expect.objectContaining({ field: '--minutes' }),
    );
  });

  it('reads one what-if change', () => {
    expect(whatIfChange({ add: '02003' })).toEqual({ action: 'add', code: '02003' });
    expect(whatIfChange({ move: 'FS2', to: '02003' })).toEqual({ action: 'move', id: 'FS2', code: '02003' });
    expect(() => whatIfChange({})).toThrow(/exactement une/);
    expect(() => whatIfChange({ add: '02003', remove: 'FS1' })).toThrow(/exactement une/);
    expect(() => whatIfChange({ move: 'FS2' })).toThrow(expect.objectContaining({ field: '--to' }));
  });
});
