import { type Kysely, sql } from 'kysely';

/**
 * Territory (issue 4): the reference geography loaded by `maillage ref load` (one table per
 * reference file, plus ref_files with each file's vintage). Reloading replaces every table in one
 * transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ref_files')
    .addColumn('file', 'text', (c) => c.primaryKey())
    .addColumn('vintage', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('source_dir', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('ref_communes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('nom', 'text', (c) => c.notNull())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('population', 'integer', (c) => c.notNull())
    .addColumn('code_postal', 'text', (c) => c.notNull())
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('parent', 'text')
    .execute();
  await db.schema
    .createTable('ref_commune_cantons')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('canton', 'text')
    .addColumn('canton_type', 'text')
    .addColumn('parent', 'text')
    .execute();
  await db.schema
    .createTable('ref_cantons')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('nom', 'text', (c) => c.notNull())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('composition', 'integer')
    .addColumn('bureau_centralisateur', 'text')
    .addColumn('nb_communes_entieres', 'integer', (c) => c.notNull())
    .addColumn('population_communes_entieres', 'integer')
    .execute();
  await db.schema
    .createTable('ref_densite')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('grille7', 'smallint', (c) => c.notNull())
    .addColumn('grille4', 'smallint', (c) => c.notNull())
    .addColumn('rural', 'boolean', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ref_zrr')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('zrr', 'boolean', (c) => c.notNull())
    .addColumn('statut', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ref_qpv')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('nom', 'text', (c) => c.notNull())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('communes', sql`text[]`, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ref_qpv_communes')
    .addColumn('qpv', 'text', (c) => c.notNull())
    .addColumn('commune', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ref_qpv_communes_pk', ['qpv', 'commune'])
    .execute();
  await db.schema
    .createTable('ref_departements')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('nom', 'text', (c) => c.notNull())
    .addColumn('geometry', 'jsonb', (c) => c.notNull())
    .execute();
}
