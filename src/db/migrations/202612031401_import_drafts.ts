import { type Kysely, sql } from 'kysely';

/**
 * Back-office import of the official list (issue 16): the uploaded CSV waits here between the dry-run report
 * and the administrator's confirmation — in the database, so that any instance can confirm it. Short-lived:
 * one per user, dropped on confirmation and after an hour.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_drafts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    // base64: the same text column on PGlite and PostgreSQL; the import detects the file's encoding itself
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('import_drafts_user_idx').on('import_drafts').column('user_id').execute();
}
