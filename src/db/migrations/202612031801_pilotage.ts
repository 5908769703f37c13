import { type Kysely, sql } from 'kysely';

/**
 * Pilotage rollups (issue 14, docs/adr/0014-pilotage.md). Kept exact in the SAME transaction as each
 * accompaniment write (insert, update), rebuilt and checked by `activity rollup-rebuild|rollup-check`.
 * - `pilotage_dep_jour` / `pilotage_dep_mois`: per department and local day (month), one row per
 *   dimension value (marginals: partenaire, canal, resultat, demarche; '' is "no démarche").
 * - `pilotage_structure_semaine`: per structure and local ISO week (Monday), total, remote and minutes:
 *   the crisis indicators (structures active in a week, share remote).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table pilotage_dep_jour (
      dimension text not null,
      departement text not null,
      jour date not null,
      valeur text not null,
      n integer not null,
      minutes bigint not null,
      primary key (dimension, departement, jour, valeur)
    )`.execute(db);
  await sql`
    create table pilotage_dep_mois (
      dimension text not null,
      departement text not null,
      mois date not null,
      valeur text not null,
      n integer not null,
      minutes bigint not null,
      primary key (dimension, departement, mois, valeur)
    )`.execute(db);
  await sql`
    create table pilotage_structure_semaine (
      semaine date not null,
      structure_id uuid not null,
      departement text not null,
      n integer not null,
      n_distance integer not null,
      minutes bigint not null,
      primary key (semaine, structure_id)
    )`.execute(db);
  await upSurvey(db);
  await sql`create index pilotage_structure_semaine_dep_idx on pilotage_structure_semaine (departement, semaine)`.execute(
    db,
  );
}

/**
 * Satisfaction survey links and answers. A link is stored by the sha256 of its token only; an answer
 * carries no link to a person, an agent or an accompaniment. One answer per link: the answer's primary
 * key IS the link.
 */
export async function upSurvey(db: Kysely<any>): Promise<void> {
  await sql`
    create table pilotage_enquetes (
      id uuid primary key default gen_random_uuid(),
      jeton_hash text not null unique,
      structure_id uuid not null references structures(id) on delete cascade,
      departement text not null,
      cree_le timestamptz not null,
      expire_le timestamptz not null
    )`.execute(db);
  await sql`
    create table pilotage_reponses (
      enquete_id uuid primary key references pilotage_enquetes(id) on delete cascade,
      structure_id uuid not null,
      departement text not null,
      repondu_le timestamptz not null,
      demarche text not null check (demarche in ('oui', 'en_partie', 'non')),
      accueil smallint not null check (accueil between 1 and 5),
      recommande text not null check (recommande in ('oui', 'non'))
    )`.execute(db);
  await sql`create index pilotage_reponses_structure_idx on pilotage_reponses (structure_id, repondu_le)`.execute(
    db,
  );
  await sql`create index pilotage_reponses_dep_idx on pilotage_reponses (departement, repondu_le)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'pilotage_reponses',
    'pilotage_enquetes',
    'pilotage_structure_semaine',
    'pilotage_dep_mois',
    'pilotage_dep_jour',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
