/**
 * How long a counter's record waits while an import's month is rebuilt.
 *
 * A large import (`activity import`) marks the months it touched; each is then rebuilt whole, in one
 * transaction, under that month's exclusive lock (pilotage rollups). Meanwhile the agents' records of that
 * month (form, API) wait for it. At the national volume a month is about a million records.
 *
 * A small file (IN_TRANSACTION_MAX_BYTES) adds its records to the rollups in each batch's transaction instead.
 *
 * This run loads RECORDS records into November 2026 (set-based), builds the rollups, then measures one-record
 * API writes into November, one every 50 ms:
 * - baseline: with nothing else running;
 * - while the month is rebuilt, as after a large file;
 * - while a small file of 10,000 rows is imported.
 *
 *   npm run bench:rollup-lock                                     PGlite, 1 M records in the month
 *   BENCH_ENGINE=postgres BENCH_PG_URL=postgres://maillage@127.0.0.1:55432/postgres npm run bench:rollup-lock
 */
import { randomUUID } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { runActivityImport } from '../src/cli/commands/activity.js';
import { runImportStructures } from '../src/cli/commands/directory.js';
import { closeContext, openContext } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrations/index.js';
import { createMonthPartition } from '../src/db/repositories/accompagnement.repository.js';
import { EXCHANGE_HEADER } from '../src/domain/accompagnement/index.js';
import { fixedClock } from '../src/domain/shared/time.js';
import { IN_TRANSACTION_MAX_BYTES } from '../src/services/accompagnement/import.service.js';
import { machine, today, writeSection } from './report.js';
import { loadSyntheticRecords, openBenchDatabase } from './synthetic-records.js';

const ENGINE = process.env.BENCH_ENGINE === 'postgres' ? 'postgres' : 'pglite';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BASELINE_WRITES = 60;
const SMALL_IMPORT_ROWS = 10_000;
const PAUSE_MS = 50;
const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'data');
const now = '2026-11-30T18:00:00Z';
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);

const bench = await openBenchDatabase({
  engine: ENGINE,
  prefix: 'rollup_lock_bench',
  ...(process.env.BENCH_PG_URL ? { serverUrl: process.env.BENCH_PG_URL } : {}),
});
await migrateToLatest(bench.database.db);
const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), refDir: null, databaseUrl: null };
const ctx = await openContext(config, { database: bench.database, clock: fixedClock(now) });
const db = ctx.db;

const quantile = (xs: readonly number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)] ?? Number.NaN;
const ms = (x: number) => (x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

try {
  await runImportStructures(ctx, { file: join(SHARED, 'france-services-2024-08.csv') });
  const structures = (
    await sql<{ id: string; departement: string; id_fs: string }>`
      select id, departement, id_fs from structures order by id_fs`.execute(db)
  ).rows;
  for (const month of ['2026-10', '2026-11', '2026-12']) await createMonthPartition(db, month);
  let t = performance.now();
  // 1–29 November, 06:00–16:00 UTC: all before the clock's 30 November.
  await loadSyntheticRecords(db, structures, {
    count: RECORDS,
    start: new Date('2026-11-01T06:00:00Z'),
    spanDays: 29,
    onChunk: (n) => log(`${n} enregistrements chargés`),
  });
  log(`chargés en ${((performance.now() - t) / 1000).toFixed(0)} s`);
  t = performance.now();
  await ctx.pilotage.rollups.rebuild();
  const fullRebuildMs = performance.now() - t;
  if (ENGINE === 'postgres') await sql`analyze`.execute(db);
  log(`cumuls construits en ${(fullRebuildMs / 1000).toFixed(0)} s`);

  let n = 0;
  const november = () => {
    n++;
    const s = structures[(n * 7919) % structures.length] as (typeof structures)[number];
    return {
      id: randomUUID(),
      id_fs: s.id_fs,
      debut: `2026-11-${String(1 + (n % 29)).padStart(2, '0')}T09:${String(n % 60).padStart(2, '0')}:00+01:00`,
      duree_min: 15,
      canal: 'guichet',
      partenaire: 'caf',
      resultat: 'resolu',
    };
  };
  const writeOne = async () => {
    const s = performance.now();
    await ctx.accompagnement.writeBatch({ kind: 'operator' }, [november()], { mode: 'api', source: 'bench' });
    return performance.now() - s;
  };

  /** One-record writes every PAUSE_MS ms while `work` runs: their durations, and the work's. */
  const writesDuring = async (work: () => Promise<unknown>) => {
    const latencies: number[] = [];
    let running = true;
    const writer = (async () => {
      while (running) {
        latencies.push(await writeOne());
        await sleep(PAUSE_MS);
      }
    })();
    const s = performance.now();
    try {
      await work();
    } finally {
      running = false;
    }
    const workMs = performance.now() - s;
    await writer;
    return { latencies, workMs };
  };

  const baseline: number[] = [];
  for (let i = 0; i < BASELINE_WRITES; i++) {
    baseline.push(await writeOne());
    await sleep(PAUSE_MS);
  }
  log(`référence : p50 ${ms(quantile(baseline, 0.5))} ms, max ${ms(Math.max(...baseline))} ms`);

  // A large file's path: its batches only mark November, whose catch-up rebuilds it whole.
  await ctx.accompagnement.writeBatch({ kind: 'operator' }, Array.from({ length: 10 }, november), {
    mode: 'import',
    source: 'import',
  });
  const rebuild = await writesDuring(() => ctx.pilotage.rollups.refreshStale());
  log(`mois recalculé en ${(rebuild.workMs / 1000).toFixed(1)} s`);

  // A small file (under IN_TRANSACTION_MAX_BYTES), through the command's own code: its batches add their
  // records to the rollups in their transactions, and no month is rebuilt.
  const csv = join(bench.folder, 'petit-import.csv');
  const smallRows = Array.from({ length: SMALL_IMPORT_ROWS }, () => {
    const r = november();
    return [r.id, r.id_fs, r.debut, r.duree_min, r.canal, r.partenaire, '', r.resultat, '', ''].join(',');
  });
  await writeFile(csv, [EXCHANGE_HEADER, ...smallRows].join('\n'));
  const csvBytes = (await stat(csv)).size;
  if (csvBytes > IN_TRANSACTION_MAX_BYTES) throw new Error('fichier « petit » trop grand');
  let smallReport: Awaited<ReturnType<typeof runActivityImport>> | null = null;
  const small = await writesDuring(async () => {
    smallReport = await runActivityImport(ctx, { file: csv });
  });
  log(`petit import en ${(small.workMs / 1000).toFixed(1)} s : ${JSON.stringify(smallReport).slice(0, 80)}`);
  const staleAfter = await ctx.pilotage.rollups.staleMonthsBetween('2026-11-01', '2026-11-30');

  const check = await ctx.pilotage.rollups.check();
  log(`rollup-check : ${check.ok ? 'exact' : `${check.differenceCount} différences`}`);

  const row = (label: string, xs: readonly number[]) =>
    `| ${label} | ${xs.length} | ${ms(quantile(xs, 0.5))} | ${ms(quantile(xs, 0.95))} | ${ms(Math.max(...xs))} |`;
  const md = `## A counter's record during an import into its month (${ENGINE})

\`npm run bench:rollup-lock\`${ENGINE === 'postgres' ? ' (BENCH_ENGINE=postgres)' : ''}, ${today()}, ${machine()}.

${RECORDS.toLocaleString('en-US')} records in November 2026 (a month of the whole network is about a million). Then
one-record API writes into November, one every ${PAUSE_MS} ms: alone (the baseline), then during two imports into
November:

- a large file's path (over ${IN_TRANSACTION_MAX_BYTES / 2 ** 20} MiB): its batches mark the month, whose catch-up
  (\`refreshStale\`) rebuilds it whole under the month's lock;
- a small file of ${SMALL_IMPORT_ROWS.toLocaleString('en-US')} rows (${(csvBytes / 2 ** 20).toFixed(1)} MiB), through
  \`activity import\`'s code: its batches add their records to the rollups in their own transactions.

| Writes into November | Count | p50 (ms) | p95 (ms) | Max (ms) |
| --- | --- | --- | --- | --- |
${row('alone (baseline)', baseline)}
${row(`during the month’s rebuild (${ms(rebuild.workMs)} ms)`, rebuild.latencies)}
${row(`during the small import (${ms(small.workMs)} ms, no rebuild)`, small.latencies)}

The writes come from one loop: a write that waits holds up the next, so few are made during the rebuild. Many
agents would each wait as long. Longest wait, against the baseline's median: ${(Math.max(...rebuild.latencies) / quantile(baseline, 0.5)).toFixed(0)} × during
the rebuild, ${(Math.max(...small.latencies) / quantile(baseline, 0.5)).toFixed(0)} × during the small import. Months
left marked after the small import: ${staleAfter.length}. The first full build of the rollups took ${ms(fullRebuildMs)} ms.
rollup-check after the run: ${check.ok ? 'exact' : `${check.differenceCount} DIFFERENCES`} over
${check.records.toLocaleString('en-US')} records.
`;
  writeSection(`rollup-lock-${ENGINE}`, md);
  process.stdout.write(md);
} finally {
  await closeContext(ctx);
  await bench.dispose();
}
