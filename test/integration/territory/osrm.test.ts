import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoverage, runRefLoad } from '../../../src/cli/commands/territory.js';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { aStructure } from '../../support/structures.js';
import { territoryFixtureDir } from '../../support/territory-fixtures.js';

// A fake OSRM started by the test: the road time is 2 minutes per 0.01° (Manhattan), so that
// Bville (0.1° from Aville) is 20 min away and Cville (0.5°) 100 min.
let osrm: Server;
let calls = 0;
let t: TestApp;

beforeAll(async () => {
  osrm = createServer((req, res) => {
    calls++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const coords = decodeURIComponent(url.pathname.replace('/table/v1/driving/', ''))
      .split(';')
      .map((c) => c.split(',').map(Number));
    const src = (url.searchParams.get('sources') ?? '').split(';').map(Number);
    const dst = (url.searchParams.get('destinations') ?? '').split(';').map(Number);
    const seconds = (a: number, b: number) => {
      const [lonA, latA] = coords[a] as [number, number];
      const [lonB, latB] = coords[b] as [number, number];
      return Math.round((Math.abs(lonA - lonB) + Math.abs(latA - latB)) * 100 * 120);
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ code: 'Ok', durations: src.map((a) => dst.map((b) => seconds(a, b))) }));
  });
  await new Promise<void>((resolve) => osrm.listen(0, '127.0.0.1', resolve));
  t = await buildTestApp({ config: { osrmUrl: `http://127.0.0.1:${(osrm.address() as AddressInfo).port}` } });
  expect((await runRefLoad(t.ctx, territoryFixtureDir())).loaded).toBe(true);
  await insertStructures(t.ctx.db, [
    aStructure({ idFs: 'FS1', codeInsee: '02001', departement: '02', lat: 49.0, lon: 3.0 }),
    aStructure({ idFs: 'FS2', codeInsee: '02004', departement: '02', lat: 49.5, lon: 3.0 }),
  ]);
});

afterAll(async () => {
  await t?.close();
  osrm.closeAllConnections();
  await new Promise((resolve) => osrm.close(resolve));
});

describe('coverage with OSRM road times', () => {
  it('replaces only the population reached, asking the configured server', async () => {
    const estimate = await runCoverage(t.ctx, { territory: 'dep:02' });
    calls = 0;
    const road = await runCoverage(t.ctx, { territory: 'dep:02', osrm: true });
    expect(calls).toBeGreaterThan(0);
    // Aville and Dville host a structure (0 min), Bville is 20 min away by road, Cville 100 min.
    expect(road.population).toEqual({ total: 7500, within10: 5000, within20: 7000, within30: 7000 });
    expect({ ...road, population: null }).toEqual({ ...estimate, population: null });
    const api = await t.app.inject({ url: '/api/v1/coverage?territory=dep:02&travel=osrm' });
    expect(api.json().population).toEqual(road.population);
    const bad = await t.app.inject({ url: '/api/v1/coverage?territory=dep:02&travel=avion' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'travel' });
  });
});
