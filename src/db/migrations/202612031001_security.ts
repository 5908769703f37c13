import { type Kysely, sql } from 'kysely';

/**
 * Security review (issue 9):
 * - `throttle_counters`: one row per throttled key (sign-in per e-mail and per IP, reset requests per
 *   e-mail and per IP), bumped by a single UPSERT … RETURNING so concurrent attempts cannot both read
 *   the same count;
 * - `membership_invitations`: attaching an existing account to a structure waits for that person's
 *   acceptance (nothing is attached before).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('throttle_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('membership_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('structure_id', 'uuid', (c) => c.notNull().references('structures.id').onDelete('cascade'))
    .addColumn('invited_by', 'uuid')
    .addColumn('invited_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addColumn('accepted', 'boolean')
    .execute();
  await db.schema
    .createIndex('membership_invitations_user_idx')
    .on('membership_invitations')
    .columns(['user_id', 'answered_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('membership_invitations').execute();
  await db.schema.dropTable('throttle_counters').execute();
}
