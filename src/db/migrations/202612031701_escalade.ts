import { type Kysely, sql } from 'kysely';

/**
 * Escalation to partner référents (issue 13).
 * - Accounts: the new role `referent_partenaire`, and `user_partner_scopes` (one row per référent: their
 *   partner, departments, national-coordinator flag, daily-digest choice), owned by the accounts repository.
 * - Escalade: cases (`dossiers`) with the minimal identity of the person, their messages, each side's notes,
 *   attachments (the files are on disk, outside the web root), the history of statuses and reassignments,
 *   and the reminders already sent (so each is sent once). Identity, messages, notes and attachments are
 *   erased six months after closing; the codes, instants and business-hour durations stay for the figures.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop constraint if exists users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('agent', 'responsable',
    'animateur_departemental', 'national', 'auditeur', 'admin_technique', 'referent_partenaire'))`.execute(
    db,
  );

  await db.schema
    .createTable('user_partner_scopes')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('partenaire', 'text', (c) => c.notNull())
    .addColumn('departements', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('coordinateur', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('digest', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('user_partner_scopes_partner_idx')
    .on('user_partner_scopes')
    .column('partenaire')
    .execute();

  await sql`create sequence dossiers_numero_seq`.execute(db);
  await sql`
    create table dossiers (
      id uuid primary key default gen_random_uuid(),
      numero bigint not null unique default nextval('dossiers_numero_seq'),
      structure_id uuid not null references structures(id),
      commune text not null,
      departement text not null,
      partenaire text not null,
      statut text not null check (statut in ('nouveau', 'en_cours', 'repondu', 'clos')),
      version integer not null default 1,
      created_by uuid,
      accompagnement_id uuid,
      filed_at timestamptz not null,
      reminder_due timestamptz not null,
      first_answer_due timestamptz not null,
      resolution_due timestamptz not null,
      first_answer_at timestamptz,
      first_answer_bh double precision,
      closed_at timestamptz,
      close_bh double precision,
      updated_at timestamptz not null,
      nom text,
      prenom text,
      date_naissance date,
      numero_partenaire text,
      objet text,
      consent_version text,
      consent_at timestamptz,
      consent_by uuid,
      erased_at timestamptz
    )`.execute(db);
  await sql`create index dossiers_partner_idx on dossiers (partenaire, departement, statut)`.execute(db);
  await sql`create index dossiers_structure_idx on dossiers (structure_id, statut)`.execute(db);
  await sql`create index dossiers_closed_idx on dossiers (closed_at) where erased_at is null`.execute(db);

  await sql`
    create table dossier_messages (
      id bigserial primary key,
      dossier_id uuid not null references dossiers(id) on delete cascade,
      side text not null check (side in ('agent', 'referent')),
      author_id uuid,
      author_label text not null,
      body text not null check (char_length(body) <= 5000),
      at timestamptz not null
    )`.execute(db);
  await sql`create index dossier_messages_dossier_idx on dossier_messages (dossier_id, at)`.execute(db);

  await sql`
    create table dossier_notes (
      id bigserial primary key,
      dossier_id uuid not null references dossiers(id) on delete cascade,
      side text not null check (side in ('agent', 'referent')),
      author_id uuid,
      author_label text not null,
      body text not null check (char_length(body) <= 5000),
      at timestamptz not null
    )`.execute(db);
  await sql`create index dossier_notes_dossier_idx on dossier_notes (dossier_id, side, at)`.execute(db);

  await sql`
    create table dossier_attachments (
      id uuid primary key,
      dossier_id uuid not null references dossiers(id) on delete cascade,
      side text not null check (side in ('agent', 'referent')),
      name text not null,
      mime text not null,
      size integer not null,
      sha256 text not null,
      uploaded_by uuid,
      at timestamptz not null
    )`.execute(db);
  await sql`create index dossier_attachments_dossier_idx on dossier_attachments (dossier_id)`.execute(db);

  await sql`
    create table dossier_events (
      id bigserial primary key,
      dossier_id uuid not null references dossiers(id) on delete cascade,
      at timestamptz not null,
      side text not null,
      actor_id uuid,
      kind text not null check (kind in ('creation', 'statut', 'reassignation', 'message')),
      from_statut text,
      to_statut text,
      from_partenaire text,
      to_partenaire text,
      from_departement text,
      to_departement text
    )`.execute(db);
  await sql`create index dossier_events_dossier_idx on dossier_events (dossier_id, at)`.execute(db);

  await sql`
    create table dossier_reminders (
      kind text not null,
      dossier_id uuid not null references dossiers(id) on delete cascade,
      sent_at timestamptz not null,
      recipients integer not null,
      primary key (kind, dossier_id)
    )`.execute(db);
  await sql`
    create table dossier_digests (
      user_id uuid not null,
      day date not null,
      sent_at timestamptz not null,
      primary key (user_id, day)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'dossier_digests',
    'dossier_reminders',
    'dossier_events',
    'dossier_attachments',
    'dossier_notes',
    'dossier_messages',
    'dossiers',
    'user_partner_scopes',
  ])
    await db.schema.dropTable(t).execute();
  await sql`drop sequence if exists dossiers_numero_seq`.execute(db);
  await sql`alter table users drop constraint if exists users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('agent', 'responsable',
    'animateur_departemental', 'national', 'auditeur', 'admin_technique'))`.execute(db);
}
