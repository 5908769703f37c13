import { join } from 'node:path';
import { sql } from 'kysely';
import { runImportStructures } from '../src/cli/commands/directory.js';
import { closeContext, openContext } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrations/index.js';
import { createMonthPartition } from '../src/db/repositories/accompagnement.repository.js';
import { fixedClock } from '../src/domain/shared/time.js';
import { machine, today, writeSection } from './report.js';
import { loadSyntheticRecords, openBenchDatabase } from './synthetic-records.js';

const ENGINE = process.env.BENCH_ENGINE === 'postgres' ? 'postgres' : 'pglite';
const RECORDS = Number(process.env.BENCH_RECORDS ?? (ENGINE === 'postgres' ? 36_000_000 : 1_000_000));
const YEARS = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 3);
const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'data');
const now = '2026-11-30T18:00:00Z';
const FIRST_YEAR = 2023;
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);

const bench = await openBenchDatabase({
  engine: ENGINE,
  prefix: 'pilotage_bench',
  ...(process.env.BENCH_PG_URL ? { serverUrl: process.env.BENCH_PG_URL } : {}),
  // BENCH_PG_DB reuses a database a previous run loaded (BENCH_LOADED=1: its records are kept);
  // BENCH_KEEP=1 keeps the loaded database for the next run.
  ...(process.env.BENCH_PG_DB ? { reuse: process.env.BENCH_PG_DB } : {}),
  keep: process.env.BENCH_KEEP === '1',
});
const database = bench.database;
await migrateToLatest(database.db);
const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), refDir: null, databaseUrl: null };
const ctx = await openContext(config, { database, clock: fixedClock(now) });
const db = ctx.db;

const LOADED = process.env.BENCH_LOADED === '1';
let records = RECORDS;
try {
  if (!LOADED) await runImportStructures(ctx, { file: join(SHARED, 'france-services-2024-08.csv') });
  const structures = (
    await sql<{ id: string; departement: string; id_fs: string }>`
      select id, departement, id_fs from structures order by id_fs`.execute(db)
  ).rows;
  log(`${structures.length} structures`);

  // Partitions of the 36 months, then the records, set-based, in chunks.
  if (!LOADED)
    for (let y = FIRST_YEAR; y < FIRST_YEAR + YEARS; y++)
      for (let m = 1; m <= 12; m++) await createMonthPartition(db, `${y}-${String(m).padStart(2, '0')}`);
  let t = performance.now();
  if (!LOADED) {
    const start = new Date(`${FIRST_YEAR}-01-01T06:00:00Z`);
    const end = Date.parse(`${FIRST_YEAR + YEARS}-01-01T00:00:00Z`) - 86_400_000;
    await loadSyntheticRecords(db, structures, {
      count: RECORDS,
      start,
      spanDays: (end - start.getTime()) / 86_400_000,
      onChunk: (n) => log(`${n} enregistrements chargés`),
    });
  }
  const loadMs = LOADED ? Number(process.env.BENCH_LOAD_MS ?? Number.NaN) : performance.now() - t;
  if (LOADED)
    records =
      (await sql<{ n: number }>`select count(*)::int as n from accompagnements`.execute(db)).rows[0]?.n ?? 0;
  if (ENGINE === 'postgres') await sql`analyze`.execute(db);

  t = performance.now();
  // A loaded database keeps its rollups: BENCH_REBUILD=0 measures the queries again without rebuilding
  // them (BENCH_REBUILD_MS reports the time the loading run measured).
  let rebuildMs = Number(process.env.BENCH_REBUILD_MS ?? Number.NaN);
  if (!LOADED || process.env.BENCH_REBUILD !== '0') {
    const rebuilt = await ctx.pilotage.rollups.rebuild();
    rebuildMs = performance.now() - t;
    log(`cumuls : ${rebuilt.rows} lignes en ${(rebuildMs / 1000).toFixed(0)} s`);
  }
  if (ENGINE === 'postgres') await sql`analyze`.execute(db);
  let checkLine = 'not run (BENCH_CHECK=1 to run it)';
  if (ENGINE === 'pglite' || process.env.BENCH_CHECK === '1') {
    t = performance.now();
    const check = await ctx.pilotage.rollups.check();
    checkLine = `${check.ok ? 'exact' : `${check.differenceCount} DIFFERENCES`} over ${check.records} records, ${((performance.now() - t) / 1000).toFixed(0)} s`;
    log(`rollup-check : ${checkLine}`);
  }

  // The busiest structure, and a big region and department.
  const busiest = (
    await sql<{
      id_fs: string;
    }>`select s.id_fs from pilotage_structure_semaine w join structures s on s.id = w.structure_id
      group by s.id_fs order by sum(w.n) desc limit 1`.execute(db)
  ).rows[0]?.id_fs as string;
  const lastYear = FIRST_YEAR + YEARS - 1;
  const range = { from: `${lastYear}-01-15`, to: `${lastYear}-12-20` }; // whole months and edges
  const territories = ['FR', 'reg:84', 'dep:59', `structure:${busiest}`];
  const dims = ['mois', 'partenaire', 'demarche', 'canal', 'resultat'] as const;
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1] as number;
  const time = async (f: () => Promise<unknown>, runs: number) => {
    await f();
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await f();
      xs.push(performance.now() - s);
    }
    return p95(xs);
  };
  const rows: string[] = [];
  let worst = 0;
  let worstRatio = Number.POSITIVE_INFINITY;
  for (const territory of territories) {
    for (const by of dims) {
      const q = { territory, ...range, by };
      const fast = await time(() => ctx.pilotage.indicator(q, 'operator'), RUNS);
      const base = await time(() => ctx.accompagnement.stats(q, 'operator'), BASELINE_RUNS);
      worst = Math.max(worst, fast);
      worstRatio = Math.min(worstRatio, base / fast);
      rows.push(
        `| ${territory.startsWith('structure:') ? 'structure (busiest)' : territory} | ${by} | ${fast.toFixed(1)} | ${base.toFixed(0)} | ${(base / fast).toFixed(0)}× |`,
      );
      log(rows.at(-1) as string);
    }
    const crisis = await time(
      () => ctx.pilotage.crisis({ territory, ...range }, 'operator'),
      Math.min(RUNS, 10),
    );
    worst = Math.max(worst, crisis);
    rows.push(
      `| ${territory.startsWith('structure:') ? 'structure (busiest)' : territory} | crisis, 49 weeks | ${crisis.toFixed(1)} | — | — |`,
    );
    log(rows.at(-1) as string);
  }
  const rollupRows = (
    await sql<{
      j: number;
      m: number;
      s: number;
      w: number;
    }>`select (select count(*) from pilotage_dep_jour)::int as j,
      (select count(*) from pilotage_dep_mois)::int as m, (select count(*) from pilotage_structure_mois)::int as s,
      (select count(*) from pilotage_structure_semaine)::int as w`.execute(db)
  ).rows[0];
  const md = `## Pilotage dashboards on ${ENGINE === 'postgres' ? 'PostgreSQL' : 'PGlite'} (issue 14)

${today()} — ${machine()}${ENGINE === 'postgres' ? ` — PostgreSQL ${(await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]?.v}` : ''}.

- ${records.toLocaleString('en')} records over ${YEARS} years (${FIRST_YEAR}–${lastYear}) and ${structures.length} real structures, loaded set-based in ${(loadMs / 1000).toFixed(0)} s; rollups built by \`activity rollup-rebuild\`'s code in ${(rebuildMs / 1000).toFixed(0)} s (${rollupRows?.j} department-day, ${rollupRows?.m} department-month, ${rollupRows?.s} structure-month, ${rollupRows?.w} structure-week rows). rollup-check: ${checkLine}.
- Range ${range.from} → ${range.to} (11 whole months from the month rollups; edges from the day rollups, or a structure's own records). p95 of ${RUNS} runs after one warm-up; baseline = the raw GROUP BY over the same records (\`activity stats\` of issue 12, partition pruning and its index), p95 of ${BASELINE_RUNS} runs, same run.
- **Worst dashboard query p95: ${worst.toFixed(1)} ms** (target ≤ 300 ms); smallest speed-up against the raw GROUP BY: ${Number.isFinite(worstRatio) ? `${worstRatio.toFixed(0)}×` : '—'}.

| Territory | Query | p95 rollups (ms) | p95 raw GROUP BY (ms) | Ratio |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeSection(`pilotage-${ENGINE}`, md);
  process.stdout.write(md);
} finally {
  await closeContext(ctx);
  await bench.dispose();
}
