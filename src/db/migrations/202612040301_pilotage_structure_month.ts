import { type Kysely, sql } from 'kysely';

/**
 * Per structure × local month (first day) × dimension value: count and minutes (issue 14). A structure's
 * dashboard reads its whole months here and only the partial months at the edges of its range from the
 * records: the busiest structure's year was 76,000 scattered records, 0.7–1.1 s on PostgreSQL at 36 M
 * rows (docs/BENCHMARKS.md). Kept like the department rollups: in each write's transaction, rebuilt
 * per month after an import.
 *
 * Existing records: every month that holds one is marked for its rebuild, which fills this table with
 * the same set-based code as after an import (`activity import`, the server's job every 30 s, or
 * `activity rollup-rebuild`); the dashboards say meanwhile that those months are being recalculated.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table pilotage_structure_mois (
      structure_id uuid not null,
      dimension text not null,
      mois date not null,
      valeur text not null,
      n integer not null,
      minutes bigint not null,
      primary key (structure_id, dimension, mois, valeur)
    )`.execute(db);
  await sql`create index pilotage_structure_mois_mois_idx on pilotage_structure_mois (mois)`.execute(db);
  await sql`insert into pilotage_mois_a_recalculer (mois)
    select distinct date_trunc('month', jour_local)::date from accompagnements
    on conflict (mois) do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pilotage_structure_mois').ifExists().execute();
}
