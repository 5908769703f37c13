import { type Kysely, sql } from 'kysely';

/**
 * Months whose pilotage rollups are to be rebuilt from the records (issue 12's bulk import). An import
 * writes its records and marks their local months here in the same transaction, instead of adding a
 * change to hundreds of thousands of rollup rows; the months are then rebuilt set-based, each in one
 * transaction that also removes its mark (at the end of the import, or by the server's job within a
 * minute if the import stopped). docs/adr/0014-pilotage.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table pilotage_mois_a_recalculer (
      mois date primary key,
      depuis timestamptz not null default now()
    )`.execute(db);
  // Only records typed by an agent are listed by agent: imported and API records (no agent) stay out
  // of this index, one index write less per imported record.
  await sql`drop index if exists accompagnements_agent_idx`.execute(db);
  await sql`create index accompagnements_agent_idx on accompagnements (agent_id, debut) where agent_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists accompagnements_agent_idx`.execute(db);
  await sql`create index accompagnements_agent_idx on accompagnements (agent_id, debut)`.execute(db);
  await db.schema.dropTable('pilotage_mois_a_recalculer').ifExists().execute();
}
