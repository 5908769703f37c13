/**
 * The migration step of every start (server and each `maillage` command) on an up-to-date PGlite folder: the
 * quick check (`isUpToDate`: one catalogue lookup, one small read) against Kysely's migrator with nothing to do
 * (the former path, the baseline), each in a fresh process so that PGlite's caches are cold as at a real start.
 * Run: `npx tsx bench/migration-check.bench.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { openPglite } from '../src/db/database.js';
import { migrateToLatest, provider } from '../src/db/migrations/index.js';
import { machine, today, writeSection } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const [mode, folder] = process.argv.slice(2);

if (mode && folder) {
  // One measure, in this fresh process.
  const database = await openPglite(folder);
  const t0 = performance.now();
  if (mode === 'check') await migrateToLatest(database.db);
  else {
    const { error } = await new Migrator({ db: database.db, provider }).migrateToLatest();
    if (error) throw error;
  }
  process.stdout.write(String(performance.now() - t0));
  await database.close();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'maillage-migration-check-'));
  const prepared = await openPglite(dir);
  await migrateToLatest(prepared.db);
  await prepared.close();
  const times: Record<'migrator' | 'check', number[]> = { migrator: [], check: [] };
  for (let i = 0; i < RUNS; i++)
    for (const m of ['migrator', 'check'] as const)
      times[m].push(
        Number(
          execFileSync(process.execPath, ['--import', 'tsx', 'bench/migration-check.bench.ts', m, dir], {
            encoding: 'utf8',
          }),
        ),
      );
  rmSync(dir, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const [m, c] = [median(times.migrator), median(times.check)];
  writeSection(
    'migration-check',
    `## Migration step at start (issue 16, item 3)

${today()} — ${machine()}. ${RUNS} interleaved runs each, each in a fresh process (cold PGlite caches, as at a start),
on an up-to-date PGlite folder; median in ms. Baseline: Kysely's migrator with nothing to do (the former path).

| Path | median (ms) | × baseline |
| --- | ---: | ---: |
| Kysely migrator, nothing to do (baseline) | ${m.toFixed(0)} | 1.00 |
| \`isUpToDate\` check, then nothing | ${c.toFixed(0)} | ${(c / m).toFixed(2)} |
`,
  );
  console.log({ migrator: times.migrator.map(Math.round), check: times.check.map(Math.round) });
}
