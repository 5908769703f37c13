import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite } from '../../src/db/database.js';
import { isUpToDate } from '../../src/db/migrations/index.js';
import { databaseKind, freshDatabase } from '../support/database.js';

describe(`database (${databaseKind()})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database?.close());

  it('has the four shared contrib extensions', async () => {
    const { rows } = await sql<{
      extname: string;
    }>`select extname from pg_extension order by extname`.execute(database.db);
    expect(rows.map((r) => r.extname)).toEqual(
      expect.arrayContaining(['cube', 'earthdistance', 'pg_trgm', 'unaccent']),
    );
    const { rows: d } = await sql<{
      km: number;
    }>`select earth_distance(ll_to_earth(48.8566, 2.3522), ll_to_earth(45.764, 4.8357)) / 1000 as km`.execute(
      database.db,
    );
    expect(d[0]?.km).toBeGreaterThan(390);
    expect(d[0]?.km).toBeLessThan(395);
  });

  // PostgreSQL only: PGlite has no server that could end a connection.
  it.runIf(databaseKind() === 'postgres')(
    'keeps serving when the server ends idle connections (restart, fail-over, administrator)',
    async () => {
      // Two connections in the pool, then idle.
      await Promise.all([
        sql`select pg_sleep(0.05)`.execute(database.db),
        sql`select pg_sleep(0.05)`.execute(database.db),
      ]);
      const { rows } = await sql<{ ended: number }>`
        select count(*) as ended from (
          select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()) t`.execute(database.db);
      expect(rows[0]?.ended).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 200)); // the idle connection hears its end
      const after = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(after.rows[0]?.one).toBe(1);
    },
  );

  it('skips the migrator only when every migration is recorded', async () => {
    expect(await isUpToDate(database.db)).toBe(true);
    const empty = await openPglite(null);
    try {
      expect(await isUpToDate(empty.db)).toBe(false);
    } finally {
      await empty.close();
    }
    const { rows } = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(
      database.db,
    );
    const last = rows[0]?.name as string;
    await sql`update kysely_migration set name = 'pas-encore' where name = ${last}`.execute(database.db);
    expect(await isUpToDate(database.db)).toBe(false);
    await sql`update kysely_migration set name = ${last} where name = 'pas-encore'`.execute(database.db);
    expect(await isUpToDate(database.db)).toBe(true);
  });

  it('returns counts as numbers and dates as YYYY-MM-DD on both engines', async () => {
    const { rows } = await sql<{
      n: number;
      d: string;
      x: number;
    }>`select count(*) as n, date '2026-03-29' as d, 1.5::numeric as x from pg_extension`.execute(
      database.db,
    );
    expect(rows[0]).toEqual({ n: expect.any(Number), d: '2026-03-29', x: 1.5 });
  });

  it('keeps concurrent transactions apart (one holder of the connection at a time)', async () => {
    await sql`create table counter (id int primary key, n int not null)`.execute(database.db);
    await sql`insert into counter values (1, 0)`.execute(database.db);
    // 20 concurrent read-modify-write transactions; with interleaving, increments would be lost
    // (PGlite) or would deadlock-free serialise through the row lock (PostgreSQL).
    await Promise.all(
      Array.from({ length: 20 }, () =>
        database.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ n: number }>`select n from counter where id = 1 for update`.execute(
            trx,
          );
          await new Promise((r) => setTimeout(r, 2));
          await sql`update counter set n = ${(rows[0]?.n ?? 0) + 1} where id = 1`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(database.db);
    expect(rows[0]?.n).toBe(20);
  });

  it('rolls back a failed transaction entirely while another one commits', async () => {
    await sql`create table notes (t text not null)`.execute(database.db);
    const failing = database.db.transaction().execute(async (trx) => {
      await sql`insert into notes values ('lost')`.execute(trx);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('boom');
    });
    const passing = database.db.transaction().execute(async (trx) => {
      await sql`insert into notes values ('kept')`.execute(trx);
    });
    await expect(failing).rejects.toThrow('boom');
    await passing;
    const { rows } = await sql<{ t: string }>`select t from notes`.execute(database.db);
    expect(rows.map((r) => r.t)).toEqual(['kept']);
  });
});
