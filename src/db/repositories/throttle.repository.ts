import { type Kysely, sql } from 'kysely';
import type { DB } from '../schema/index.js';

/** Owner of `throttle_counters`: fixed-window counters bumped atomically in the database. */

export interface CounterHit {
  /** Hits in the current window, this one included: concurrent callers each get a different number. */
  readonly hits: number;
  readonly windowStart: Date;
}

/**
 * Counts one hit on `key` and returns the count, in ONE statement: the row lock taken by
 * `on conflict do update` serialises concurrent hits, so twenty simultaneous attempts get 1…20.
 * A window older than `since` starts over at 1.
 */
export async function hit(db: Kysely<DB>, key: string, now: Date, since: Date): Promise<CounterHit> {
  const r = await sql<{ hits: number; window_start: Date | string }>`
    insert into throttle_counters (key, window_start, hits) values (${key}, ${now}, 1)
    on conflict (key) do update set
      hits = case when throttle_counters.window_start <= ${since} then 1 else throttle_counters.hits + 1 end,
      window_start = case when throttle_counters.window_start <= ${since} then ${now} else throttle_counters.window_start end
    returning hits, window_start`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('throttle_counters: aucune ligne renvoyée');
  return { hits: Number(row.hits), windowStart: new Date(row.window_start) };
}

/** Forgets a key (a successful sign-in clears its account counter). */
export async function clear(db: Kysely<DB>, key: string): Promise<void> {
  await db.deleteFrom('throttle_counters').where('key', '=', key).execute();
}

/** Takes one hit back (a successful sign-in is not held against the network it came from). */
export async function takeBack(db: Kysely<DB>, key: string): Promise<void> {
  await db
    .updateTable('throttle_counters')
    .set((eb) => ({ hits: sql<number>`greatest(${eb.ref('hits')} - 1, 0)` }))
    .where('key', '=', key)
    .execute();
}

/** Counters whose window ended before `before` (for `maillage users purge`). */
export async function purgeOld(db: Kysely<DB>, before: Date): Promise<number> {
  const r = await db.deleteFrom('throttle_counters').where('window_start', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
