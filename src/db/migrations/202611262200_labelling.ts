import { type Kysely, sql } from 'kysely';

/**
 * Labellisation (issue 6): published référentiels (immutable), campaigns, applications with their
 * transition history, documents (bytes stored on disk under MAILLAGE_DATA_DIR, outside the web root),
 * audits with their grid (versioned for concurrent edits) and corrective actions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('referentiels')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('criteria', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_by', 'uuid')
    .execute();
  // A published référentiel never changes: refuse UPDATE and DELETE at the database too.
  await sql`create function referentiels_immutable() returns trigger language plpgsql as $$
    begin raise exception 'un référentiel publié ne peut pas être modifié'; end $$`.execute(db);
  await sql`create trigger referentiels_no_change before update or delete on referentiels
    for each row execute function referentiels_immutable()`.execute(db);

  await db.schema
    .createTable('labelling_campaigns')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('opens_on', 'date', (c) => c.notNull())
    .addColumn('closes_on', 'date', (c) => c.notNull())
    .addColumn('departements', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('referentiel_version', 'text', (c) => c.notNull().references('referentiels.version'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('ouverte').check(sql`status in ('ouverte', 'cloturee')`),
    )
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('labelling_applications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('campaign_id', 'uuid', (c) => c.notNull().references('labelling_campaigns.id'))
    .addColumn('porteur_user_id', 'uuid', (c) => c.notNull())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('brouillon'))
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('auditor_user_id', 'uuid')
    .addColumn('structure_id', 'uuid', (c) => c.references('structures.id'))
    .addColumn('labelled_on', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('labelling_applications_campaign_idx')
    .on('labelling_applications')
    .columns(['campaign_id', 'departement', 'state'])
    .execute();
  await db.schema
    .createIndex('labelling_applications_porteur_idx')
    .on('labelling_applications')
    .column('porteur_user_id')
    .execute();

  await db.schema
    .createTable('labelling_transitions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('application_id', 'uuid', (c) => c.notNull().references('labelling_applications.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('by_user_id', 'uuid', (c) => c.notNull())
    .addColumn('by_role', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('labelling_transitions_app_idx')
    .on('labelling_transitions')
    .column('application_id')
    .execute();

  await db.schema
    .createTable('labelling_audits')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('application_id', 'uuid', (c) => c.references('labelling_applications.id'))
    .addColumn('structure_id', 'uuid', (c) => c.references('structures.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('initial', 'contre_visite', 'periodique')`),
    )
    .addColumn('auditor_user_id', 'uuid', (c) => c.notNull())
    .addColumn('planned_on', 'date', (c) => c.notNull())
    .addColumn('completed_on', 'date')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('conforme', 'non_conforme')`))
    .addColumn('referentiel_version', 'text', (c) => c.notNull().references('referentiels.version'))
    .addColumn('grid', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'labelling_audits_target',
      sql`application_id is not null or structure_id is not null`,
    )
    .execute();
  await db.schema
    .createIndex('labelling_audits_auditor_idx')
    .on('labelling_audits')
    .column('auditor_user_id')
    .execute();

  await db.schema
    .createTable('labelling_corrective_actions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('audit_id', 'uuid', (c) => c.notNull().references('labelling_audits.id'))
    .addColumn('application_id', 'uuid', (c) => c.references('labelling_applications.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('closed_on', 'date')
    .addColumn('closed_by_audit_id', 'uuid', (c) => c.references('labelling_audits.id'))
    .execute();

  await db.schema
    .createTable('labelling_documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('application_id', 'uuid', (c) => c.notNull().references('labelling_applications.id'))
    .addColumn('audit_id', 'uuid', (c) => c.references('labelling_audits.id'))
    .addColumn('criterion_code', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'uuid', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('labelling_documents_app_idx')
    .on('labelling_documents')
    .column('application_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'labelling_documents',
    'labelling_corrective_actions',
    'labelling_audits',
    'labelling_transitions',
    'labelling_applications',
    'labelling_campaigns',
    'referentiels',
  ]) {
    await db.schema.dropTable(t).execute();
  }
  await sql`drop function if exists referentiels_immutable()`.execute(db);
}
