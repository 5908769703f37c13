/**
 * Locator benchmark (issue 2): loads the 2,845 real structures into the embedded database, starts the real
 * server in a child process, then measures `/health` and `nearest?limit=10` with autocannon (50 connections),
 * on the same server in the same run. Also: the import time on PGlite, and kd-tree vs SQL nearest in process.
 *
 *   npm run bench:locator            (reads ../shared/data)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { closeContext, openContext } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { importStructures } from '../src/services/directory/import.service.js';
import { machine, seeded, today, writeSection } from './report.js';

const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'data');
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = 3;
const CONNECTIONS = 50;
const PORT = 3990;

// Points where people live: random communes' centres would need the reference; a seeded box over
// metropolitan France is simpler and harder (many points far from any structure).
const random = seeded(20261126);
const points = Array.from({ length: 2000 }, () => ({
  lat: 42.5 + random() * 8.5,
  lon: -4.5 + random() * 12,
}));

const dataDir = mkdtempSync(join(tmpdir(), 'maillage-bench-'));
const env = {
  ...process.env,
  MAILLAGE_DATA_DIR: dataDir,
  MAILLAGE_REF_DIR: SHARED,
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
};

// 1. Import on PGlite (target ≤ 5 s), and the in-process comparison of the two nearest implementations.
const ctx = await openContext(loadConfig(env));
const bytes = readFileSync(join(SHARED, 'france-services-2024-08.csv'));
let t0 = performance.now();
const report = await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, {
  source: 'bench',
});
const importMs = performance.now() - t0;
t0 = performance.now();
await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, { source: 'bench' });
const reimportMs = performance.now() - t0;

await ctx.locator.nearest({ lat: 48.85, lon: 2.35, limit: 10 }); // build the index
const inProcess = async (label: string, fn: (p: { lat: number; lon: number }) => Promise<unknown>) => {
  const sample = points.slice(0, 500);
  const t = performance.now();
  for (const p of sample) await fn(p);
  return { label, perQueryMs: (performance.now() - t) / sample.length };
};
const kd = await inProcess('kd-tree (kdbush + geokdbush)', (p) => ctx.locator.nearest({ ...p, limit: 10 }));
const sqlNearest = await inProcess('SQL (earth_box + earth_distance, GiST)', (p) =>
  ctx.locator.nearestSql({ ...p, limit: 10 }),
);
await closeContext(ctx);

// 2. The real server, in its own process, measured over HTTP.
const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/http/server.ts'], {
  env,
  stdio: 'inherit',
});
const stop = () => server.kill('SIGTERM');
process.on('exit', stop);
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/health`)).ok) break;
  } catch {}
  if (i > 600) throw new Error('the server did not start');
  await new Promise((r) => setTimeout(r, 100));
}

let next = 0;
async function load(title: string, path: () => string, connections = CONNECTIONS) {
  // Warm-up, then the measure.
  await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: 10,
    duration: 2,
    requests: [{ setupRequest: (r) => ({ ...r, path: path() }) }],
  });
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections,
    duration: DURATION_S,
    requests: [{ setupRequest: (r) => ({ ...r, path: path() }) }],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}
const nearestPath = () => {
  const p = points[next++ % points.length] as { lat: number; lon: number };
  return `/api/v1/structures/nearest?lat=${p.lat.toFixed(4)}&lon=${p.lon.toFixed(4)}&limit=10`;
};
// Alternate the two endpoints over several rounds: the machine's noise then hits both alike,
// and the median ratio is the figure.
const rounds: Array<{ health: Awaited<ReturnType<typeof load>>; nearest: Awaited<ReturnType<typeof load>> }> =
  [];
for (let r = 0; r < ROUNDS; r++) {
  rounds.push({
    health: await load('GET /health', () => '/health'),
    nearest: await load('GET /api/v1/structures/nearest?limit=10', nearestPath),
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ratios = rounds.map((r) => r.nearest.rps / r.health.rps);
const ratio = median(ratios);
const best = rounds[ratios.indexOf(ratio)] as (typeof rounds)[number];
const health = best.health;
const nearest = best.nearest;
// Latency without saturation: the same query at 10 connections.
const light = await load('GET /api/v1/structures/nearest?limit=10 (10 connections)', nearestPath, 10);
stop();
rmSync(dataDir, { recursive: true, force: true });

const ok = (b: boolean) => (b ? '✅' : '❌');
const md = `## Locator (issue 2) — ${today()}

Machine: ${machine()}. Embedded database (PGlite). Server in its own process, autocannon in another, ${CONNECTIONS} connections, ${DURATION_S} s per endpoint and round after a 2 s warm-up; 2,000 seeded random points over metropolitan France.

| Endpoint | req/s | p50 (ms) | p99 (ms) |
| --- | ---: | ---: | ---: |
| ${health.title} (baseline) | ${Math.round(health.rps)} | ${health.p50} | ${health.p99} |
| ${nearest.title} | ${Math.round(nearest.rps)} | ${nearest.p50} | ${nearest.p99} |
| ${light.title} | ${Math.round(light.rps)} | ${light.p50} | ${light.p99} |

- nearest-10 / health request rate: **${(ratio * 100).toFixed(0)} %**, median of ${ROUNDS} alternating rounds (${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}; the table shows the median round) — target ≥ 60 % ${ok(ratio >= 0.6)}.
- p99 at 50 connections: **${nearest.p99} ms** — target ≤ 15 ms ${ok(nearest.p99 <= 15)}. At 50 connections a p99 of 15 ms needs well over 50 / 0.015 ≈ 3,300 req/s; on 2 cores shared with the load generator even /health does not reach it (p99 ${health.p99} ms). Unsaturated, at 10 connections, nearest-10 answers with p99 **${light.p99} ms**.
- Import of the real file (${report.created} structures) on PGlite: **${(importMs / 1000).toFixed(2)} s** (target ≤ 5 s) ${ok(importMs <= 5000)}; re-import, all unchanged: ${(reimportMs / 1000).toFixed(2)} s.
- Nearest-10 in process, mean per query over 500 points: ${kd.label} **${kd.perQueryMs.toFixed(3)} ms**; ${sqlNearest.label} **${sqlNearest.perQueryMs.toFixed(3)} ms** (${(sqlNearest.perQueryMs / kd.perQueryMs).toFixed(1)} × slower). The kd-tree serves; the SQL query stays as the cross-check (the integration tests assert both give the same list).
`;
console.log(md);
writeSection('locator', md);
process.exit(0);
