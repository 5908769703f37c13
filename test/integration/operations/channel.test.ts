import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext } from '../../../src/composition.js';
import { listAllStructures } from '../../../src/db/repositories/directory.repository.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { cliChannelRoutes } from '../../../src/http/routes/cli-channel.routes.js';
import { CLI_CHANNEL_PATH } from '../../../src/services/operations/server-file.js';
import { buildTestContext } from '../../support/app.js';
import { OFFICIAL_HEADER, officialRow } from '../../support/structures.js';

const TOKEN = 'un-jeton-de-test-assez-long-pour-passer-0123456789';
const csv = (...rows: string[]) => Buffer.from([OFFICIAL_HEADER, ...rows].join('\n')).toString('base64');

describe('the local channel from the CLI to the running server (hostile input)', () => {
  let t: { app: App; ctx: AppContext };
  beforeAll(async () => {
    // As src/http/server.ts does: the app, then the channel with the token it wrote.
    const ctx = await buildTestContext();
    const app = await buildApp(ctx);
    await app.register(cliChannelRoutes(ctx, TOKEN));
    await app.ready();
    t = { app, ctx };
  });
  afterAll(async () => {
    await t?.app.close();
    if (t) await closeContext(t.ctx);
  });

  const post = (payload: unknown, options: { token?: string; remoteAddress?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: CLI_CHANNEL_PATH,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      headers: { authorization: `Bearer ${options.token ?? TOKEN}`, 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('refuses another machine, even with the token', async () => {
    const res = await post({ job: 'create-admin', email: 'a@b.fr' }, { remoteAddress: '10.1.2.3' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden' });
  });

  it('refuses a wrong, missing or longer token', async () => {
    for (const token of ['', 'faux', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await post({ job: 'create-admin', email: 'a@b.fr' }, { token });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthenticated', field: 'authorization' });
    }
    expect(await t.ctx.db.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('answers bad jobs with a French message and a field, never a 500', async () => {
    const cases: Array<[unknown, string | null]> = [
      [{ job: 'drop-database' }, 'job'],
      [{ job: 'import-structures' }, 'csv'],
      [{ job: 'import-structures', csv: '' }, 'csv'],
      [{ job: 'import-structures', csv: csv(), dryRun: 'peut-être' }, 'dryRun'],
      [{ job: 'import-structures', csv: csv(), source: 'x'.repeat(501) }, 'source'],
      [{ job: 'create-admin' }, 'email'],
      [{ job: 'create-admin', email: 'pas-une-adresse' }, 'email'],
      ['{"job":"create-admin","email":1e999}', 'email'],
      ['{"job":"import-structures","csv":"QQ==","dryRun":1e999}', 'dryRun'],
      ['{"job":', null],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(payload)).toBeLessThan(500);
      const body = res.json();
      expect(body.message).toMatch(/[a-zé]/);
      if (field) expect(body.field).toBe(field);
    }
  });

  it('runs an import: dry run writes nothing; the real one is seen by the locator at once', async () => {
    const payload = {
      job: 'import-structures',
      csv: csv(officialRow({ id_fs: '1' }), officialRow({ id_fs: '2', lib_fs: 'Autre France services' })),
      source: 'liste.csv',
    };
    const dry = await post({ ...payload, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().report).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(await listAllStructures(t.ctx.db)).toEqual([]);
    await t.ctx.locator.snapshot(); // an index built before the import
    const run = await post({ ...payload, dryRun: false });
    expect(run.json().report).toMatchObject({ created: 2 });
    const ready = await t.app.inject('/ready');
    expect(ready.json()).toMatchObject({ status: 'ready', structures: 2 });
  });

  it('creates an administrator whose link the same server honours', async () => {
    const res = await post({ job: 'create-admin', email: ' Chef@Example.FR ' });
    expect(res.statusCode).toBe(200);
    const { email, link } = res.json();
    expect(email).toBe('chef@example.fr');
    const page = await t.app.inject(new URL(link).pathname + new URL(link).search);
    expect(page.statusCode).toBe(200);
    const again = await post({ job: 'create-admin', email: 'chef@example.fr' });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a CSV above the size bound before reading it', async () => {
    const huge = 'A'.repeat(28 * 1024 * 1024);
    const res = await post({ job: 'import-structures', csv: huge, source: 'x', dryRun: true });
    expect(res.statusCode).toBe(413);
  });
});
