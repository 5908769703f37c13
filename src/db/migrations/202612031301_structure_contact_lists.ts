import { type Kysely, sql } from 'kysely';

/**
 * A structure may publish several e-mail addresses or telephone numbers (the official file has
 * « a@x.fr - b@x.fr »): one text column each becomes a list, so none is dropped on import.
 * Existing single values become one-element lists; empty values empty lists.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('structures')
    .addColumn('emails', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('telephones', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .execute();
  await sql`update structures set
      emails = case when email is null or email = '' then '{}'::text[] else array[email] end,
      telephones = case when telephone is null or telephone = '' then '{}'::text[] else array[telephone] end`.execute(
    db,
  );
  await db.schema.alterTable('structures').dropColumn('email').dropColumn('telephone').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('structures')
    .addColumn('email', 'text')
    .addColumn('telephone', 'text')
    .execute();
  // The official separator: the export writes lists the same way.
  await sql`update structures set
      email = nullif(array_to_string(emails, ' - '), ''),
      telephone = nullif(array_to_string(telephones, ' - '), '')`.execute(db);
  await db.schema.alterTable('structures').dropColumn('emails').dropColumn('telephones').execute();
}
