import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGeocoder } from '../../src/domain/geocoding/geocoder.js';
import { CommuneRegistry } from '../../src/domain/geography/index.js';
import { BanGeocoder } from '../../src/services/geocoding/ban-geocoder.js';

const communes = new CommuneRegistry({
  records: [
    {
      code: '02361',
      nom: 'Guise',
      type: 'commune-actuelle',
      departement: '02',
      codesPostaux: ['02120'],
      population: 4800,
    },
    {
      code: '42218',
      nom: 'Saint-Étienne',
      type: 'commune-actuelle',
      departement: '42',
      codesPostaux: ['42000', '42100'],
      population: 170000,
    },
    {
      code: '2A004',
      nom: 'Ajaccio',
      type: 'commune-actuelle',
      departement: '2A',
      codesPostaux: ['20000'],
      population: 72000,
    },
  ],
  centroids: new Map([
    ['02361', { lat: 49.9, lon: 3.63 }],
    ['42218', { lat: 45.43, lon: 4.39 }],
    ['2A004', { lat: 41.93, lon: 8.74 }],
  ]),
});
const local = new LocalGeocoder(communes);

describe('local geocoder', () => {
  it('resolves a commune name, a postal code or an INSEE code to the commune centre', async () => {
    expect((await local.geocode('saint etienne'))[0]).toMatchObject({
      codeInsee: '42218',
      lat: 45.43,
      kind: 'commune',
    });
    expect((await local.geocode('42100'))[0]).toMatchObject({ codeInsee: '42218', kind: 'code_postal' });
    expect((await local.geocode('2a004'))[0]).toMatchObject({ codeInsee: '2A004' });
    expect((await local.geocode('Guise 02120'))[0]).toMatchObject({ codeInsee: '02361' });
    expect(await local.geocode('Guise 42000')).toEqual([]);
    expect(await local.geocode('<script>')).toEqual([]);
    expect(await local.geocode('x'.repeat(100_000))).toEqual([]);
  });
});

/** A stand-in for the BAN /search endpoint, answering in GeocodeJSON as documented. */
function fakeBan(): Promise<{ server: Server; url: string; requests: string[]; mode: { value: string } }> {
  const requests: string[] = [];
  const mode = { value: 'ok' };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (mode.value === 'slow') return void setTimeout(() => res.end('{}'), 10_000).unref();
    if (mode.value === 'error') return void res.writeHead(503).end('indisponible');
    if (mode.value === 'garbage')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        type: 'FeatureCollection',
        version: 'draft',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [3.6275, 49.9012] },
            properties: {
              label: '1 Place Lesur 02120 Guise',
              score: 0.97,
              type: 'housenumber',
              citycode: '02361',
            },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: ['x', null] },
            properties: { label: 'cassé' },
          },
        ],
        query: '1 place lesur guise',
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, mode }),
    ),
  );
}

describe('BAN geocoder (local stand-in server)', () => {
  let ban: Awaited<ReturnType<typeof fakeBan>>;
  let geocoder: BanGeocoder;
  beforeAll(async () => {
    ban = await fakeBan();
    geocoder = new BanGeocoder(ban.url, 2_000, local);
  });
  afterAll(() => new Promise<void>((r) => ban.server.close(() => r())));

  it('reads GeocodeJSON addresses and skips unusable features', async () => {
    ban.mode.value = 'ok';
    const results = await geocoder.geocode('1 place Lesur Guise');
    expect(results).toEqual([
      {
        label: '1 Place Lesur 02120 Guise',
        lat: 49.9012,
        lon: 3.6275,
        kind: 'adresse',
        codeInsee: '02361',
        score: 0.97,
      },
    ]);
    expect(ban.requests.at(-1)).toMatch(/^\/search\/\?q=1\+place\+Lesur\+Guise&limit=5$/);
  });

  it('falls back to the local geocoder on timeout, HTTP error or an unreadable answer', async () => {
    for (const mode of ['slow', 'error', 'garbage']) {
      ban.mode.value = mode;
      const started = Date.now();
      const results = await geocoder.geocode('Guise');
      expect(results[0], mode).toMatchObject({ codeInsee: '02361', kind: 'commune' });
      // The 2 s timeout fired long before the stand-in's 10 s answer.
      expect(Date.now() - started, mode).toBeLessThan(5_000);
    }
  });
});
