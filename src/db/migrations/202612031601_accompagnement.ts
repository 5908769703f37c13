import { type Kysely, sql } from 'kysely';

/**
 * Accompaniments (issue 12). The records table is partitioned by month of `debut`: the service
 * creates each month's partition before its first insert (moving any row the default partition
 * holds for that month); the default partition catches anything else, so no insert ever fails.
 * Ids are unique across partitions through `accompagnement_ids` (a partitioned table's primary key
 * must contain the partition key).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table accompagnements (
      id uuid not null,
      debut timestamptz not null,
      jour_local date not null,
      structure_id uuid not null,
      departement text not null,
      agent_id uuid,
      duree_min smallint not null check (duree_min between 1 and 480),
      canal text not null check (canal in ('guichet', 'bus', 'telephone', 'courriel', 'visio')),
      arret_bus text,
      partenaire text not null,
      demarche text,
      resultat text not null check (resultat in ('resolu', 'rendez_vous', 'oriente', 'escalade', 'sans_suite')),
      tranche_age text,
      commune_usager text,
      premiere_visite boolean,
      autonomie text,
      note text check (char_length(note) <= 2000),
      source text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (id, debut)
    ) partition by range (debut)`.execute(db);
  await sql`create table accompagnements_default partition of accompagnements default`.execute(db);
  // The structure's pages list by structure and time; statistics read a range of local days.
  await sql`create index accompagnements_structure_idx on accompagnements (structure_id, debut)`.execute(db);
  await sql`create index accompagnements_jour_idx on accompagnements (jour_local, departement)`.execute(db);
  await sql`create index accompagnements_agent_idx on accompagnements (agent_id, debut)`.execute(db);

  await db.schema
    .createTable('accompagnement_ids')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('debut', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accompagnement_demarches')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('partenaire', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('fiche_id', 'text')
    .addColumn('origine', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('accompagnement_api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('structure_id', 'uuid', (c) => c.notNull().references('structures.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('accompagnement_api_tokens_structure_idx')
    .on('accompagnement_api_tokens')
    .column('structure_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'accompagnement_api_tokens',
    'accompagnement_demarches',
    'accompagnement_ids',
    'accompagnements',
  ]) {
    await db.schema.dropTable(t).ifExists().cascade().execute();
  }
}
