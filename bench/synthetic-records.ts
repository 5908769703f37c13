import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type Database, openPglite, openPostgres } from '../src/db/database.js';
import { CATALOGUE_RELEASE, PARTNER_WEIGHTS } from '../src/domain/accompagnement/index.js';
import { METROPOLITAN_ZONE } from '../src/domain/shared/time-zone.js';

/**
 * What the pilotage benchmarks share: the database they run on, and synthetic records loaded
 * set-based (`insert … select … from generate_series`), far faster than through `activity import`.
 */

export interface BenchDatabase {
  readonly database: Database;
  /** A temporary folder of the run's own (PGlite's data is in it), removed by `dispose`. */
  readonly folder: string;
  /** Removes the folder and drops the bench's own PostgreSQL database, unless it is kept. */
  readonly dispose: () => Promise<void>;
}

/**
 * PGlite in a temporary folder, or (`engine: 'postgres'`) a database of its own on the server of `serverUrl`:
 * created, then dropped after, unless `keep`. `reuse` names one a previous run created (its records kept).
 */
export async function openBenchDatabase(o: {
  readonly engine: 'pglite' | 'postgres';
  readonly prefix: string;
  readonly serverUrl?: string;
  readonly reuse?: string;
  readonly keep?: boolean;
}): Promise<BenchDatabase> {
  const folder = await mkdtemp(join(tmpdir(), `${o.prefix.replaceAll('_', '-')}-`));
  const removeFolder = () => rm(folder, { recursive: true, force: true });
  if (o.engine === 'pglite')
    return { database: await openPglite(join(folder, 'db')), folder, dispose: removeFolder };
  const server = o.serverUrl ?? 'postgres://maillage@127.0.0.1:55432/postgres';
  const name = o.reuse ?? `${o.prefix}_${process.pid}`;
  if (!new RegExp(`^${o.prefix}_\\d+$`).test(name)) throw new Error(`base attendue : ${o.prefix}_<n>`);
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  if (!o.reuse) await admin(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 4);
  return {
    database,
    folder,
    dispose: async () => {
      await removeFolder();
      if (!o.keep) await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * `count` records over `structures`, starting at random instants of [start, start + spanDays) (10 hours a
 * day from `start`'s hour), with realistic distributions: the generator's partner weights, a démarche for
 * 3 in 4, 70 % at the counter, a few busy structures. Loaded in chunks, each in time order as records
 * arrive (one partition's indexes at a time). The month partitions must exist.
 */
export async function loadSyntheticRecords(
  db: Database['db'],
  structures: ReadonlyArray<{ readonly id: string; readonly departement: string }>,
  o: {
    readonly count: number;
    readonly start: Date;
    readonly spanDays: number;
    readonly onChunk?: (loaded: number) => void;
  },
): Promise<void> {
  const partners = PARTNER_WEIGHTS.map(([p]) => p);
  const total = PARTNER_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const cumulative = PARTNER_WEIGHTS.map(([, w]) => (acc += w / total));
  const demarches = CATALOGUE_RELEASE.demarches;
  const demarcheCase = (p: string) => {
    const codes = demarches.filter((d) => d.partenaire === p).map((d) => d.code);
    return codes.length === 0
      ? sql`null::text`
      : sql`(${sql.val(codes)}::text[])[1 + floor(random() * ${codes.length})::int]`;
  };
  const partnerExpr = sql`(case ${sql.join(
    partners.map((p, i) => sql`when rp < ${cumulative[i] as number} then ${p}`),
    sql` `,
  )} else 'autre' end)`;
  const demarcheExpr = sql`(case when rd < 0.25 then null ${sql.join(
    partners.map((p) => sql`when partenaire = ${p} then ${demarcheCase(p)}`),
    sql` `,
  )} else null end)`;
  const ids = structures.map((s) => s.id);
  const deps = structures.map((s) => s.departement);
  const startSeconds = o.start.getTime() / 1000;
  const CHUNK = 500_000;
  for (let done = 0; done < o.count; done += CHUNK) {
    const n = Math.min(CHUNK, o.count - done);
    await sql`
      insert into accompagnements (id, debut, jour_local, structure_id, departement, duree_min, canal, partenaire, demarche, resultat, source)
      select gen_random_uuid(), debut, (debut at time zone ${METROPOLITAN_ZONE})::date, ids[i], deps[i], duree, canal, partenaire,
             ${demarcheExpr}, resultat, 'bench'
      from (
        select i, debut, duree, canal, resultat, rd, ${partnerExpr} as partenaire
        from (
          select 1 + floor(power(random(), 1.6) * ${ids.length})::int as i,
                 to_timestamp(${startSeconds} + floor(random() * ${o.spanDays})::int * 86400 + floor(random() * 10 * 3600)::int) as debut,
                 (5 + floor(power(random(), 2) * 60))::int as duree,
                 (case when random() < 0.70 then 'guichet' when random() < 0.5 then 'telephone'
                       when random() < 0.4 then 'bus' when random() < 0.5 then 'courriel' else 'visio' end) as canal,
                 (case when random() < 0.62 then 'resolu' when random() < 0.4 then 'oriente'
                       when random() < 0.5 then 'rendez_vous' when random() < 0.6 then 'escalade' else 'sans_suite' end) as resultat,
                 random() as rp, random() as rd
          from generate_series(1, ${n})
        ) a
      ) b, (select ${sql.val(ids)}::uuid[] as ids, ${sql.val(deps)}::text[] as deps) arrays
      order by debut`.execute(db);
    o.onChunk?.(done + n);
  }
}
