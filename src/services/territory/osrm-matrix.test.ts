import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/shared/errors.js';
import { OsrmMatrix } from './osrm-matrix.js';

// A local stand-in for OSRM's /table service, answering in its documented format: the duration
// from coordinate a to b is (a + 1) × 60 + b seconds, and null to any point at longitude 0.
let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push(url.pathname + url.search);
    const m = /^\/table\/v1\/driving\/(.+)$/.exec(url.pathname);
    res.setHeader('content-type', 'application/json');
    if (!m) {
      res.statusCode = 400;
      res.end(JSON.stringify({ code: 'InvalidUrl', message: 'URL malformée' }));
      return;
    }
    const coords = decodeURIComponent(m[1] as string)
      .split(';')
      .map((c) => c.split(',').map(Number));
    if (coords.some(([lon]) => lon === 999)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ code: 'InvalidValue', message: 'Coordonnée hors limites' }));
      return;
    }
    if (coords.some(([lon]) => lon === 42)) return; // never answers: the client times out
    const sources = (url.searchParams.get('sources') ?? '').split(';').map(Number);
    const destinations = (url.searchParams.get('destinations') ?? '').split(';').map(Number);
    res.end(
      JSON.stringify({
        code: 'Ok',
        durations: sources.map((a) =>
          destinations.map((b) => ((coords[b] as number[])[0] === 0 ? null : (a + 1) * 60 + b)),
        ),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const p = (lon: number, lat = 49) => ({ lat, lon });

describe('OSRM /table adapter', () => {
  it('asks for the durations between sources and destinations and answers in minutes', async () => {
    seen.length = 0;
    const m = new OsrmMatrix(base);
    const t = await m.table([p(3.1), p(3.2)], [p(3.5), p(0)]);
    expect(t).toEqual([
      [(60 + 2) / 60, null],
      [(120 + 2) / 60, null],
    ]);
    expect(seen).toEqual([
      '/table/v1/driving/3.100000,49.000000;3.200000,49.000000;3.500000,49.000000;0.000000,49.000000?sources=0;1&destinations=2;3&annotations=duration',
    ]);
  });

  it('cuts large matrices into requests within the coordinate limit', async () => {
    seen.length = 0;
    const m = new OsrmMatrix(base, { maxCoordinates: 4 });
    const sources = [p(1), p(2), p(3), p(4), p(5)];
    const t = await m.table(sources, [p(6), p(7)]);
    expect(seen).toHaveLength(3);
    expect(t.map((row) => row.map((x) => Math.round((x as number) * 60)))).toEqual([
      [62, 63],
      [122, 123],
      [62, 63],
      [122, 123],
      [61, 62], // the last request has one source, so the destinations are coordinates 1 and 2
    ]);
    await expect(m.table(sources, [p(6), p(7), p(8), p(9)])).rejects.toMatchObject({ code: 'too_large' });
  });

  it('turns OSRM errors, silence and unreachable servers into a clear 503', async () => {
    const m = new OsrmMatrix(base, { timeoutMs: 300 });
    await expect(m.table([p(999)], [p(1)])).rejects.toThrow(/InvalidValue Coordonnée hors limites/);
    const slow = await m.table([p(42)], [p(1)]).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(DomainError);
    expect((slow as DomainError).code).toBe('unavailable');
    const down = new OsrmMatrix('http://127.0.0.1:1', { timeoutMs: 300 });
    await expect(down.table([p(1)], [p(2)])).rejects.toThrow(/OSRM ne répond pas/);
  });
});
