import { type Kysely, sql } from 'kysely';

/**
 * The structure × month rollup keyed month first: (mois, structure_id, dimension, valeur) instead of
 * (structure_id, dimension, mois, valeur). A month's rebuild (after every import) deletes and writes that
 * month's rows only; keyed structure first, they were spread over the whole index, and each month's
 * rebuild read and rewrote every page of it through the embedded database's small page cache (1 M
 * records: a 98 MB index, eleven times; docs/BENCHMARKS.md). Month first, they sit together, and the
 * month's own index (`pilotage_structure_mois_mois_idx`) is no longer needed. A structure's dashboard
 * asks for its months by list (`mois = any(…)`): one descent per month, on PostgreSQL 15 too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table pilotage_structure_mois drop constraint pilotage_structure_mois_pkey`.execute(db);
  await sql`alter table pilotage_structure_mois add primary key (mois, structure_id, dimension, valeur)`.execute(
    db,
  );
  await sql`drop index if exists pilotage_structure_mois_mois_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table pilotage_structure_mois drop constraint pilotage_structure_mois_pkey`.execute(db);
  await sql`alter table pilotage_structure_mois add primary key (structure_id, dimension, mois, valeur)`.execute(
    db,
  );
  await sql`create index if not exists pilotage_structure_mois_mois_idx on pilotage_structure_mois (mois)`.execute(
    db,
  );
}
