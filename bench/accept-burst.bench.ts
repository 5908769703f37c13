/**
 * Reproduces, without any Maillage code, what the load proof (issue 9) saw with autocannon: a bare `node:http`
 * server that spends 1.5 ms of CPU per request, hit by 200 connections opened at the same moment, accepts the
 * last connections only seconds later while it serves the first ones, so their first request waits (up to the
 * whole run). See docs/RELIABILITY.md §4. Run: `npx tsx bench/accept-burst.bench.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';

const CONNECTIONS = 200;
const SECONDS = 15;
let firstAccept = 0;
const acceptedAt: number[] = [];
const server = http.createServer((_req, res) => {
  const t = performance.now();
  while (performance.now() - t < 1.5) {} // the CPU cost of a small API answer
  res.end('{"ok":true}');
});
server.on('connection', () => {
  const now = performance.now();
  firstAccept ||= now;
  acceptedAt.push(now - firstAccept);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as AddressInfo;

const slow: number[] = [];
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const run = autocannon(
    { url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: SECONDS, timeout: 60 },
    (error, r) => (error ? reject(error) : resolve(r)),
  );
  run.on('response', (_client, _status, _bytes, ms) => {
    if (ms > 2_000) slow.push(ms);
  });
});
server.closeAllConnections();
server.close();
console.log({
  requests: result.requests.total,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  answersOver2s: slow.length,
  connectionsAccepted: `${acceptedAt.length} / ${CONNECTIONS}`,
  lastAcceptedAfterMs: Math.round(acceptedAt.at(-1) ?? 0),
});
