/**
 * Load and soak (issue 9), on the real server in its own process, 127.0.0.1 only, with the real data loaded.
 *
 * 1. Load: `/health` (baseline) then the locator (`/api/v1/structures/nearest`), 200 connections each, with
 *    autocannon. Property: 0 errors (non-2xx and socket errors) on the locator.
 * 2. Soak: SOAK_SECONDS (600 by default) of mixed traffic: public pages and API through autocannon, and signed-in
 *    agents editing their structure (CSRF, versions) in a loop. The server's RSS and heap are sampled every 5 s
 *    (bench/memory-probe.ts, preloaded). Property: after the warm-up, memory grows by at most 10 %.
 *
 *   npm run bench:load            LOAD_SECONDS=60 SOAK_SECONDS=600 by default
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { closeContext, openContext } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { addMembership, insertUser } from '../src/db/repositories/accounts.repository.js';
import { hashPassword } from '../src/services/accounts/auth.service.js';
import { importStructures } from '../src/services/directory/import.service.js';
import { load, writeReliabilitySection } from './reliability-report.js';
import { machine, seeded, today } from './report.js';
import { REPO, sleep, startServer, versionIn, WebClient } from './server-process.js';

const SHARED = join(REPO, '..', 'shared', 'data');
const LOAD_SECONDS = Math.min(600, Number(process.env.LOAD_SECONDS ?? 60));
const SOAK_SECONDS = Math.min(3_600, Number(process.env.SOAK_SECONDS ?? 600));
const WARM_UP_SECONDS = Math.min(120, Math.round(SOAK_SECONDS / 5));
const CONNECTIONS = 200;
const SOAK_CONNECTIONS = 20;
const AGENTS = 4;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ok = (b: boolean) => (b ? '✅' : '❌');
const PASSWORD = 'correct cheval pile agrafe';

const random = seeded(20261203);
const points = Array.from({ length: 2_000 }, () => ({
  lat: 42.5 + random() * 8.5,
  lon: -4.5 + random() * 12,
}));

// --- data: the real list of structures, and agents of a few of them --------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'maillage-soak-'));
const probe = join(dataDir, 'memory.jsonl');
const env = { MAILLAGE_DATA_DIR: dataDir, MAILLAGE_REF_DIR: SHARED };
const agents: Array<{ email: string; structureId: string }> = [];
const ids: string[] = [];
{
  const ctx = await openContext(loadConfig({ ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn' }));
  const bytes = readFileSync(join(SHARED, 'france-services-2024-08.csv'));
  await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, { source: 'soak' });
  const rows = await ctx.db.selectFrom('structures').select(['id']).orderBy('id_fs').limit(200).execute();
  ids.push(...rows.map((r) => r.id));
  const hash = await hashPassword(PASSWORD);
  for (let i = 0; i < AGENTS; i++) {
    const structureId = ids[i * 7] as string;
    const user = await insertUser(ctx.db, {
      email: `agent.soak.${i}@example.fr`,
      display_name: `Agent ${i}`,
      role: 'agent',
      departement: null,
      password_hash: hash,
      proconnect_sub: null,
      deactivated_at: null,
      invited_by: null,
      last_login_at: null,
    });
    await addMembership(ctx.db, user.id, structureId);
    agents.push({ email: user.email, structureId });
  }
  await closeContext(ctx);
}

// In production the server sits behind a reverse proxy and serves many people, each with their own address
// and their own rate budget (120 locator calls a minute). Here every request comes from 127.0.0.1: the bench
// plays the proxy (MAILLAGE_TRUST_PROXY) and spreads its requests over CLIENTS addresses, so what is measured
// is the server and not one client's budget (one address alone rightly gets 429 after its 120 calls).
const CLIENTS = 20_000;
const clientAddress = () => {
  const n = Math.floor(random() * CLIENTS);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};
const server = await startServer(
  {
    ...env,
    MAILLAGE_TRUST_PROXY: '127.0.0.1',
    MAILLAGE_MEMORY_PROBE: probe,
    MAILLAGE_MEMORY_PROBE_MS: '5000',
  },
  180_000,
  ['./bench/memory-probe.ts'],
);
process.on('exit', () => server.child.kill('SIGKILL'));

let next = 0;
const nearestPath = () => {
  const p = points[next++ % points.length] as { lat: number; lon: number };
  return `/api/v1/structures/nearest?lat=${p.lat.toFixed(4)}&lon=${p.lon.toFixed(4)}&limit=10`;
};
async function hammer(path: () => string, connections: number, seconds: number) {
  const r = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: path(),
          headers: { ...req.headers, 'x-forwarded-for': clientAddress() },
        }),
      },
    ],
  });
  const byStatus = Object.entries(r.statusCodeStats ?? {})
    .map(([code, v]) => `${code}: ${(v as { count: number }).count}`)
    .join(', ');
  return {
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    byStatus,
  };
}

/**
 * The same load as a reverse proxy sends it: CONNECTIONS keep-alive connections opened first (on /health, cheap),
 * then CONNECTIONS loops each sending its next request when the previous one is answered, for `seconds`.
 * autocannon instead opens its 200 connections at the very moment the server is saturated, and Node's HTTP server
 * then accepts the last ones slowly (seen on a bare `node:http` server too: see docs/RELIABILITY.md).
 */
async function throughPool(path: () => string, connections: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const { port } = new URL(server.url);
  const get = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: p, agent, headers: { 'x-forwarded-for': clientAddress() } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  await Promise.all(Array.from({ length: connections }, () => get('/health')));
  const opened = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let timeouts = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          const status = await get(path());
          latencies.push(performance.now() - t0);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        } catch (error) {
          errors++;
          if (error instanceof Error && error.message === 'timeout') timeouts++;
        }
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(latencies.length * q)] ?? 0);
  const non2xx = [...statuses].filter(([c]) => c < 200 || c >= 300).reduce((n, [, k]) => n + k, 0);
  return {
    opened,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies.at(-1) ?? 0),
    non2xx,
    errors,
    timeouts,
    byStatus: [...statuses].map(([c, k]) => `${c}: ${k}`).join(', '),
  };
}

// The reference data loads in the background at start: wait for it (the coverage answer needs it), so the
// measures below are of the serving server, not of its start-up.
const ready = await fetch(`${server.url}/api/v1/coverage?territory=dep:02`, {
  signal: AbortSignal.timeout(600_000),
});
if (!ready.ok) throw new Error(`the reference data did not load (${ready.status})`);

// --- 1. load ---------------------------------------------------------------------------------------------
await hammer(nearestPath, 10, 3); // warm-up: index built, code paths compiled
const health = await hammer(() => '/health', CONNECTIONS, Math.min(20, LOAD_SECONDS));
const nearest = await hammer(nearestPath, CONNECTIONS, LOAD_SECONDS);
console.log({ health, nearest });
const pooled = await throughPool(nearestPath, CONNECTIONS, LOAD_SECONDS);
console.log({ pooled });
if (SOAK_SECONDS === 0) {
  writeLoadSection();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

function writeLoadSection() {
  writeReliabilitySection(
    'load',
    `### Mesure du ${today()} — ${machine()}, ${load()} à la fin
Serveur réel (PGlite, 2 845 structures réelles), autocannon dans un autre processus, ${CONNECTIONS} connexions, 127.0.0.1.

| Point d’accès | Durée | Requêtes | req/s | p50 (ms) | p99 (ms) | non-2xx | erreurs (dont délais) |
| --- | --: | --: | --: | --: | --: | --: | --: |
| GET /health (référence) | ${Math.min(20, LOAD_SECONDS)} s | ${health.requests} | ${Math.round(health.rps)} | ${health.p50} | ${health.p99} | ${health.non2xx} | ${health.errors} (${health.timeouts}) |
| GET /api/v1/structures/nearest?limit=10 (autocannon : 200 connexions ouvertes d’un coup) | ${LOAD_SECONDS} s | ${nearest.requests} | ${Math.round(nearest.rps)} | ${nearest.p50} | ${nearest.p99} | ${nearest.non2xx} | ${nearest.errors} (${nearest.timeouts}) |
| GET /api/v1/structures/nearest?limit=10 (${pooled.opened} connexions persistantes, comme derrière le proxy) | ${LOAD_SECONDS} s | ${pooled.requests} | ${Math.round(pooled.rps)} | ${pooled.p50} | ${pooled.p99} (max ${pooled.max}) | ${pooled.non2xx} | ${pooled.errors} (${pooled.timeouts}) |

- Réponses par code : /health ${health.byStatus || '—'} ; localisateur ${nearest.byStatus || '—'} (autocannon), ${pooled.byStatus || '—'} (connexions persistantes).
- Les requêtes viennent de ${CLIENTS} adresses simulées derrière un proxy de confiance (\`MAILLAGE_TRUST_PROXY=127.0.0.1\`, en-tête \`X-Forwarded-For\`), comme en production : une seule adresse recevrait à raison des 429 après ses 120 appels par minute.
- Localisateur / /health (débit) : **${pct(nearest.rps / health.rps)}**.
- 0 erreur sur le localisateur, connexions persistantes : ${ok(pooled.non2xx === 0 && pooled.errors === 0)} ; connexions ouvertes d’un coup par autocannon : ${ok(nearest.non2xx === 0 && nearest.errors === 0)}.`,
  );
}

// --- 2. soak ---------------------------------------------------------------------------------------------
rmSync(probe, { force: true });
const publicPaths = [
  () => nearestPath(),
  () => `/api/v1/structures?department=${String(1 + (next++ % 95)).padStart(2, '0')}&perPage=20`,
  () => `/api/v1/structures/${ids[next++ % ids.length]}`,
  () => `/structures/${ids[next++ % ids.length]}`,
  () => '/?q=Guise',
  () => '/departements/02',
  () => '/',
];
let mix = 0;
const soakEnd = Date.now() + SOAK_SECONDS * 1000;
const writeLatencies: number[] = [];
let writes = 0;
let writeFailures = 0;
const agentLoops = agents.map(async (a, i) => {
  const client = new WebClient(server.url);
  await client.login(a.email, PASSWORD);
  const path = `/espace/structures/${a.structureId}`;
  let page = await client.get(path);
  let n = 0;
  while (Date.now() < soakEnd) {
    n++;
    const t0 = performance.now();
    const res = await client.post(path, {
      version: versionIn(page.body),
      email: 'fs@example.fr',
      telephone: '03 23 00 00 00',
      hours_lundi: '09:00 - 12:00 / 13:30 - 17:00',
      description: `Mise à jour ${i}-${n}`,
    });
    writeLatencies.push(performance.now() - t0);
    if (res.status === 200) writes++;
    else writeFailures++;
    page = res.status === 200 ? res : await client.get(path);
    await client.get('/espace');
    await sleep(250);
  }
});
const soak = await hammer(
  () => (publicPaths[mix++ % publicPaths.length] as () => string)(),
  SOAK_CONNECTIONS,
  SOAK_SECONDS,
);
await Promise.all(agentLoops);
await sleep(6_000); // one more memory sample after the traffic
await server.stop();

// --- memory: after the warm-up, compare the first and the last minute of samples ------------------------
const samples = readFileSync(probe, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { t: number; rss: number; heapUsed: number });
rmSync(dataDir, { recursive: true, force: true });
const t0 = samples[0]?.t ?? 0;
const after = samples.filter((s) => s.t - t0 >= WARM_UP_SECONDS * 1000);
const window = Math.max(3, Math.round(60_000 / 5_000));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const early = after.slice(0, window);
const late = after.slice(-window);
const growth = (k: 'rss' | 'heapUsed') => median(late.map((s) => s[k])) / median(early.map((s) => s[k])) - 1;
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const sortedWrites = [...writeLatencies].sort((a, b) => a - b);
const p99Write = sortedWrites[Math.floor(sortedWrites.length * 0.99)] ?? 0;
const maxOf = (k: 'rss' | 'heapUsed') => Math.max(...samples.map((s) => s[k]));

writeLoadSection();
writeReliabilitySection(
  'soak',
  `### Mesure du ${today()} — ${machine()}, ${load()} à la fin
${SOAK_SECONDS} s de trafic mêlé : ${SOAK_CONNECTIONS} connexions autocannon sur ${publicPaths.length} pages et appels publics en alternance, et ${AGENTS} agents connectés qui modifient leur structure en boucle (jeton CSRF, version). Mémoire du serveur relevée toutes les 5 s (${samples.length} relevés), échauffement ${WARM_UP_SECONDS} s.

| Trafic | Requêtes | req/s | p50 (ms) | p99 (ms) | non-2xx | erreurs |
| --- | --: | --: | --: | --: | --: | --: |
| Public (pages + API) | ${soak.requests} | ${Math.round(soak.rps)} | ${soak.p50} | ${soak.p99} | ${soak.non2xx} | ${soak.errors} |
| (codes du trafic public) | ${soak.byStatus || '—'} | | | | | |
| Modifications du back office | ${writes} acquittées, ${writeFailures} refusées | — | ${median(writeLatencies).toFixed(0)} | ${p99Write.toFixed(0)} | ${writeFailures} | — |

| Mémoire | 1re minute après l’échauffement (médiane) | Dernière minute (médiane) | Croissance | Maximum |
| --- | --: | --: | --: | --: |
| RSS | ${mib(median(early.map((s) => s.rss)))} Mio | ${mib(median(late.map((s) => s.rss)))} Mio | ${pct(growth('rss'))} | ${mib(maxOf('rss'))} Mio |
| Tas JS (heapUsed) | ${mib(median(early.map((s) => s.heapUsed)))} Mio | ${mib(median(late.map((s) => s.heapUsed)))} Mio | ${pct(growth('heapUsed'))} | ${mib(maxOf('heapUsed'))} Mio |

- Mémoire stable (croissance ≤ 10 % après l’échauffement) : ${ok(growth('rss') <= 0.1 && growth('heapUsed') <= 0.1)}.`,
);
console.log({
  soak,
  writes,
  writeFailures,
  p99Write,
  growthRss: growth('rss'),
  growthHeap: growth('heapUsed'),
});
process.exit(0);
