import { type Kysely, sql } from 'kysely';

/**
 * Rendez-vous (issue 15, docs/adr/0015-rendez-vous.md). No double booking is a database constraint:
 * a booking holds one row per 5-minute unit of its agent's time in `rendezvous_occupations`, whose
 * primary key is (agent_id, unit_start). Two bookings that overlap for one agent share a unit, so the
 * second insert fails with a unique violation, whatever the number of app instances.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rendezvous_motifs (
      id uuid primary key default gen_random_uuid(),
      structure_id uuid not null references structures(id) on delete cascade,
      libelle text not null check (char_length(libelle) between 1 and 120),
      duree_min smallint not null check (duree_min between 5 and 240 and duree_min % 5 = 0),
      canal text not null check (canal in ('sur_place', 'telephone', 'visio')),
      partenaire text,
      demarche text check (char_length(demarche) <= 64),
      delai_min_minutes integer not null check (delai_min_minutes between 0 and 43200),
      delai_max_jours smallint not null check (delai_max_jours between 1 and 93),
      reservable_en_ligne boolean not null,
      actif boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index rendezvous_motifs_structure_idx on rendezvous_motifs (structure_id)`.execute(db);

  await sql`
    create table rendezvous_plages (
      id uuid primary key default gen_random_uuid(),
      structure_id uuid not null references structures(id) on delete cascade,
      agent_id uuid not null references users(id) on delete cascade,
      jour text not null check (jour in ('lundi','mardi','mercredi','jeudi','vendredi','samedi','dimanche')),
      debut_min smallint not null check (debut_min between 0 and 1435 and debut_min % 5 = 0),
      fin_min smallint not null check (fin_min between 5 and 1440 and fin_min % 5 = 0 and fin_min > debut_min),
      valide_du date,
      valide_au date,
      motif_ids jsonb,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index rendezvous_plages_structure_idx on rendezvous_plages (structure_id)`.execute(db);

  await sql`
    create table rendezvous_absences (
      id uuid primary key default gen_random_uuid(),
      structure_id uuid not null references structures(id) on delete cascade,
      agent_id uuid not null references users(id) on delete cascade,
      debut timestamptz not null,
      fin timestamptz not null check (fin > debut),
      libelle text check (char_length(libelle) <= 200),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index rendezvous_absences_agent_idx on rendezvous_absences (agent_id, fin)`.execute(db);

  await sql`
    create table rendezvous (
      id uuid primary key default gen_random_uuid(),
      structure_id uuid not null references structures(id) on delete cascade,
      motif_id uuid not null references rendezvous_motifs(id),
      agent_id uuid not null references users(id),
      debut timestamptz not null,
      fin timestamptz not null check (fin > debut),
      statut text not null default 'confirme' check (statut in ('confirme', 'annule', 'honore', 'excuse', 'absent')),
      nom text check (char_length(nom) <= 100),
      courriel text check (char_length(courriel) <= 254),
      telephone text check (char_length(telephone) <= 20),
      contact_efface_at timestamptz,
      jeton_hash text unique,
      origine text not null check (origine in ('en_ligne', 'agent')),
      cree_par uuid,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index rendezvous_structure_idx on rendezvous (structure_id, debut)`.execute(db);
  await sql`create index rendezvous_agent_idx on rendezvous (agent_id, debut)`.execute(db);

  await sql`
    create table rendezvous_occupations (
      agent_id uuid not null,
      unit_start timestamptz not null,
      rendezvous_id uuid not null references rendezvous(id) on delete cascade,
      primary key (agent_id, unit_start)
    )`.execute(db);
  await sql`create index rendezvous_occupations_rdv_idx on rendezvous_occupations (rendezvous_id)`.execute(
    db,
  );

  // Reminders sent, once per appointment and channel (the primary key makes the job idempotent).
  await sql`
    create table rendezvous_rappels (
      rendezvous_id uuid not null references rendezvous(id) on delete cascade,
      canal text not null check (canal in ('courriel', 'sms')),
      envoye_at timestamptz not null,
      resultat text not null,
      primary key (rendezvous_id, canal)
    )`.execute(db);

  // Private iCalendar feeds of agents: only the sha256 of the URL's token is kept.
  await sql`
    create table rendezvous_flux (
      id uuid primary key default gen_random_uuid(),
      agent_id uuid not null references users(id) on delete cascade,
      jeton_hash text not null unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'rendezvous_flux',
    'rendezvous_rappels',
    'rendezvous_occupations',
    'rendezvous',
    'rendezvous_absences',
    'rendezvous_plages',
    'rendezvous_motifs',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
