import type { Kysely } from 'kysely';

/**
 * Security review (issue 9, finding 2): renewing the label of an existing structure is an explicit choice made
 * when the application is created, by someone with `application.file` on THAT structure, and shown on every
 * review page. Without it, a labelled application always creates a new structure (the `idFs` typed in the
 * content never selects one).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('labelling_applications')
    .addColumn('renews_structure_id', 'uuid', (c) => c.references('structures.id'))
    .execute();
}
