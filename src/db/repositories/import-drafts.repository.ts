import type { Kysely } from 'kysely';
import type { DB } from '../schema/index.js';

/** The one owner of `import_drafts`. Every read is scoped to the user who uploaded the file. */

export async function replaceDraft(
  db: Kysely<DB>,
  draft: { userId: string; source: string; sha256: string; content: string; olderThan: Date },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    // One pending file per user, and none older than the cut-off for anyone.
    await trx
      .deleteFrom('import_drafts')
      .where((eb) => eb.or([eb('user_id', '=', draft.userId), eb('created_at', '<', draft.olderThan)]))
      .execute();
    const row = await trx
      .insertInto('import_drafts')
      .values({ user_id: draft.userId, source: draft.source, sha256: draft.sha256, content: draft.content })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** The user's own draft, if still fresh; deleted as it is taken, so that it is imported at most once. */
export async function takeDraft(
  db: Kysely<DB>,
  id: string,
  userId: string,
  notBefore: Date,
): Promise<{ source: string; sha256: string; content: string } | null> {
  const row = await db
    .deleteFrom('import_drafts')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('created_at', '>=', notBefore)
    .returning(['source', 'sha256', 'content'])
    .executeTakeFirst();
  return row ?? null;
}
