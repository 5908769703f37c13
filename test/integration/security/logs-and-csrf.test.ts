import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext, openContext } from '../../../src/composition.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { issueToken, setupLinkIfNeeded } from '../../../src/services/accounts/auth.service.js';
import { Client, createUser, PASSWORD } from '../../support/accounts.js';
import { packageGeography, testConfig } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';

/** Finding 11 of the security review: secrets in logs and URLs. */
describe('security review: secrets in logs and URLs', () => {
  const lines: string[] = [];
  let ctx: AppContext;
  let app: App;
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    ctx = await openContext(testConfig({ logLevel: 'info' }), {
      database: await freshDatabase(),
      logger: pino({ level: 'info' }, stream),
      geography: packageGeography(),
    });
    app = await buildApp(ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    if (ctx) await closeContext(ctx);
  });

  it('finding 11: the access log never records reset, invitation or setup tokens', async () => {
    const user = await createUser(ctx, { role: 'agent', password: null });
    const reset = await issueToken(ctx, 'reset', user.id);
    const invitation = await issueToken(ctx, 'invitation', user.id);
    const setup = new URL((await setupLinkIfNeeded(ctx)) as string).searchParams.get('jeton') as string;
    for (const [path, token] of [
      ['/espace/reinitialiser', reset],
      ['/espace/invitation', invitation],
      ['/espace/installation', setup],
    ] as const) {
      const r = await app.inject({ method: 'GET', url: `${path}?jeton=${token}` });
      expect(r.statusCode, path).toBe(200);
    }
    await app.inject({ method: 'GET', url: '/espace/proconnect/retour?code=SECRETCODE123&state=ETAT456' });
    const log = lines.join('');
    expect(log).toContain('/espace/reinitialiser?jeton=[retiré]');
    expect(log).toContain('/espace/invitation?jeton=[retiré]');
    for (const secret of [reset, invitation, setup, 'SECRETCODE123', 'ETAT456'])
      expect(log).not.toContain(secret);
  });

  it('finding 11: `_csrf` in the query string is refused; in the body or the header it is accepted', async () => {
    const u = await createUser(ctx, { role: 'agent' });
    const c = new Client(app, '198.51.100.61');
    await c.get('/espace/connexion');
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const form = new URLSearchParams({ email: u.email, password: PASSWORD }).toString();
    const inQuery = await app.inject({
      method: 'POST',
      url: `/espace/connexion?_csrf=${encodeURIComponent(c.csrf)}`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    expect(inQuery.statusCode).toBe(403);
    expect(inQuery.body).toContain('Formulaire expiré');
    // A multipart body sent to a route that is not an upload does not skip the check either
    // (refused as a forged form, or as a type the route does not read).
    const boundary = '----b';
    const multipart = await app.inject({
      method: 'POST',
      url: `/espace/connexion?_csrf=${encodeURIComponent(c.csrf)}`,
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n${u.email}\r\n--${boundary}--\r\n`,
    });
    expect([403, 415]).toContain(multipart.statusCode);
    expect(multipart.headers['set-cookie'] ?? '').not.toContain('maillage_session');
    const inHeader = await app.inject({
      method: 'POST',
      url: '/espace/connexion',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': c.csrf },
      payload: form,
    });
    expect(inHeader.statusCode).toBe(303);
    const inBody = await c.post('/espace/connexion', { email: u.email, password: PASSWORD });
    expect(inBody.status).toBe(303);
  });
});
