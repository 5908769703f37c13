import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext, openContext } from '../../../src/composition.js';
import { openDatabase } from '../../../src/db/database.js';
import { fixedClock } from '../../../src/domain/shared/time.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { packageGeography, testConfig } from '../../support/app.js';
import { bookingFixture } from '../../support/rendezvous.js';

/**
 * No double booking across processes (issue 15, section 4): two app instances, each with its own
 * connection pool, share one PostgreSQL; twenty simultaneous requests for one slot, spread over both,
 * give exactly one 201 and nineteen 409. Needs a server: runs in CI's second pass (TEST_DATABASE_URL).
 */
const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('rendez-vous: two app instances on one PostgreSQL', () => {
  const name = `maillage_t_${randomBytes(6).toString('hex')}`;
  const instances: Array<{ app: App; ctx: AppContext }> = [];
  let f: Awaited<ReturnType<typeof bookingFixture>>;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl as string);
    url.pathname = `/${name}`;
    for (let i = 0; i < 2; i++) {
      const config = testConfig({ databaseUrl: url.toString() });
      const database = await openDatabase(config);
      const ctx = await openContext(config, {
        database,
        geography: packageGeography(),
        clock: fixedClock('2026-11-24T09:30:00Z'),
      });
      const app = await buildApp(ctx);
      await app.ready();
      instances.push({ app, ctx });
    }
    f = await bookingFixture((instances[0] as { ctx: AppContext }).ctx);
  });

  afterAll(async () => {
    for (const { app, ctx } of instances) {
      await app.close();
      await closeContext(ctx);
    }
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });

  it('twenty simultaneous requests over both instances: one 201, nineteen 409', async () => {
    const start = '2026-11-25T10:00:00+01:00';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (instances[i % 2] as { app: App }).app.inject({
          method: 'POST',
          url: '/api/v1/rendez-vous',
          remoteAddress: `198.51.100.${i + 1}`,
          payload: {
            structure: f.structure.id,
            motif: f.motif.id,
            start,
            name: `Personne ${i}`,
            email: `p${i}@example.fr`,
          },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array(19).fill(409)]);
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      expect(a.json()).toMatchObject({ error: 'conflict', field: 'start' });
    }
    const db = (instances[1] as { ctx: AppContext }).ctx.db;
    const rows = await db
      .selectFrom('rendezvous')
      .select('id')
      .where('debut', '=', new Date(start))
      .execute();
    expect(rows).toHaveLength(1);
    const units = await db.selectFrom('rendezvous_occupations').select('unit_start').execute();
    expect(units).toHaveLength(6);
  });
});
