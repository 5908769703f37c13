import { type Kysely, sql } from 'kysely';

/**
 * Remote reception (issue 12, §3): call-back requests left on a structure's public page, and each
 * structure's delay to answer them. Contact columns are nullable: they are erased 30 days after closing,
 * while the request's dates, partner and outcome stay for the figures.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rappel_demandes (
      id uuid primary key default gen_random_uuid(),
      structure_id uuid not null references structures (id) on delete cascade,
      recu_le timestamptz not null,
      due_at timestamptz not null,
      nom text check (char_length(nom) <= 80),
      telephone text check (char_length(telephone) <= 30),
      email text check (char_length(email) <= 254),
      partenaire text not null,
      description text check (char_length(description) <= 600),
      creneau text not null check (creneau in ('indifferent', 'matin', 'apres_midi')),
      statut text not null default 'nouvelle' check (statut in ('nouvelle', 'prise', 'traitee', 'sans_suite')),
      agent_id uuid references users (id) on delete set null,
      pris_le timestamptz,
      clos_le timestamptz,
      clos_par uuid references users (id) on delete set null,
      accompagnement_id uuid,
      contact_efface_le timestamptz,
      version integer not null default 1,
      check (statut in ('nouvelle', 'prise') or clos_le is not null)
    )`.execute(db);
  // The inbox reads one structure's requests by state and due time; the purge, closed ones by date.
  await sql`create index rappel_demandes_inbox_idx on rappel_demandes (structure_id, statut, due_at)`.execute(
    db,
  );
  await sql`create index rappel_demandes_purge_idx on rappel_demandes (clos_le) where contact_efface_le is null and clos_le is not null`.execute(
    db,
  );
  await sql`
    create table rappel_reglages (
      structure_id uuid primary key references structures (id) on delete cascade,
      delai_jours smallint not null check (delai_jours between 1 and 10),
      updated_at timestamptz not null default now(),
      updated_by uuid references users (id) on delete set null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists rappel_reglages`.execute(db);
  await sql`drop table if exists rappel_demandes`.execute(db);
}
