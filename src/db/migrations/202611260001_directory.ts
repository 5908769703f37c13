import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The four contrib extensions that exist both in PGlite and in Debian's postgresql-contrib.
  for (const ext of ['cube', 'earthdistance', 'pg_trgm', 'unaccent']) {
    await sql`create extension if not exists ${sql.raw(ext)}`.execute(db);
  }

  await db.schema
    .createTable('structures')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('id_fs', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('principal', 'antenne')`))
    .addColumn('format', 'text', (c) =>
      c.notNull().check(sql`format in ('fixe', 'multisites', 'fixe_antennes', 'bus', 'itinerante')`),
    )
    .addColumn('group_name', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('address_complement', 'text')
    .addColumn('code_insee', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('commune_name', 'text', (c) => c.notNull())
    .addColumn('departement', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('email', 'text')
    .addColumn('telephone', 'text')
    .addColumn('hours', 'jsonb', (c) => c.notNull())
    .addColumn('closures', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('appointment', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('comment', 'text')
    .addColumn('description', 'text')
    .addColumn('partners', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('labelled_on', 'date')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('ouverte')
        .check(
          sql`status in ('ouverte', 'accueil_a_distance', 'fermee_temporairement', 'fermee_definitivement')`,
        ),
    )
    .addColumn('status_until', 'date')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('structures_lat_lon_together', sql`(lat is null) = (lon is null)`)
    .execute();

  await db.schema
    .createIndex('structures_departement_idx')
    .on('structures')
    .columns(['departement', 'name'])
    .execute();
  await db.schema.createIndex('structures_commune_idx').on('structures').column('code_insee').execute();
  // Nearest search in SQL: a GiST index on the earth point, used by earth_box()/earth_distance().
  await sql`create index structures_earth_idx on structures using gist (ll_to_earth(lat, lon)) where lat is not null`.execute(
    db,
  );

  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('rejected', 'integer', (c) => c.notNull())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_runs').execute();
  await db.schema.dropTable('structures').execute();
}
