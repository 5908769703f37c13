import { type Kysely, sql } from 'kysely';

/**
 * France Services mobiles (issue 5): units (buses, roving teams), their stops, tour entries
 * (RFC 5545 recurrences in Paris wall-clock time) and dated exceptions. Changes are written to the
 * project's append-only audit_log, in the same transaction. Ids are the ones of the load document.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mobile_units')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('structure_id_fs', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('vehicle', 'text')
    .addColumn('depot_lat', 'double precision', (c) => c.notNull())
    .addColumn('depot_lon', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('mobile_units_structure_idx')
    .on('mobile_units')
    .column('structure_id_fs')
    .execute();
  await db.schema
    .createTable('mobile_stops')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('mobile_units.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('commune', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('access_notes', 'text')
    .execute();
  await db.schema.createIndex('mobile_stops_unit_idx').on('mobile_stops').column('unit_id').execute();
  await db.schema.createIndex('mobile_stops_commune_idx').on('mobile_stops').column('commune').execute();
  await db.schema
    .createTable('mobile_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('mobile_units.id').onDelete('cascade'))
    .addColumn('stop_id', 'text', (c) => c.notNull().references('mobile_stops.id').onDelete('cascade'))
    .addColumn('rrule', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('from_date', 'date', (c) => c.notNull())
    .addColumn('until_date', 'date', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('mobile_entries_unit_idx').on('mobile_entries').column('unit_id').execute();
  await db.schema.createIndex('mobile_entries_stop_idx').on('mobile_entries').column('stop_id').execute();
  await db.schema
    .createTable('mobile_exceptions')
    .addColumn('entry_id', 'text', (c) => c.notNull().references('mobile_entries.id').onDelete('cascade'))
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('to_date', 'date')
    .addColumn('to_start', 'text')
    .addColumn('to_end', 'text')
    .addPrimaryKeyConstraint('mobile_exceptions_pk', ['entry_id', 'date'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mobile_exceptions', 'mobile_entries', 'mobile_stops', 'mobile_units']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
