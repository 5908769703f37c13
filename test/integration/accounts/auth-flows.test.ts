import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCreateAdmin, runPurge } from '../../../src/cli/commands/users.js';
import { setupLinkIfNeeded } from '../../../src/services/accounts/auth.service.js';
import { settleDeliveries } from '../../../src/services/accounts/mail.service.js';
import { Client, createUser, insertStructure, PASSWORD } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { type LocalSmtp, startSmtp } from '../../support/smtp.js';

const path = (link: string) => {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
};

describe('sign-in, lockout, reset, invitation and first run (local SMTP server)', () => {
  let t: TestApp;
  let smtp: LocalSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await buildTestApp({ config: { smtpUrl: smtp.url } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('first run: a one-time setup link creates the first national administrator', async () => {
    const link = await setupLinkIfNeeded(t.ctx);
    expect(link).toMatch(/\/espace\/installation\?jeton=/);
    const c = new Client(t.app);
    const form = await c.get(path(link as string));
    expect(form.status).toBe(200);
    const short = await c.post('/espace/installation', {
      jeton: new URL(link as string).searchParams.get('jeton'),
      email: 'anct@example.fr',
      password: 'court',
      confirmation: 'court',
    });
    expect(short.status).toBe(400);
    expect(short.body).toContain('au moins 12 caractères');
    const ok = await c.post('/espace/installation', {
      jeton: new URL(link as string).searchParams.get('jeton'),
      email: 'anct@example.fr',
      displayName: 'Équipe nationale',
      password: PASSWORD,
      confirmation: PASSWORD,
    });
    expect(ok.status).toBe(303);
    expect((await c.get('/espace')).body).toContain('Équipe nationale (ANCT)');
    // Used once; and with an administrator, no new link is issued.
    const again = await new Client(t.app).get(path(link as string));
    expect(again.status).toBe(410);
    expect(again.body).toContain('déjà été utilisé');
    expect(await setupLinkIfNeeded(t.ctx)).toBeNull();
  });

  it('answers a wrong password exactly like an unknown e-mail', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const wrong = await new Client(t.app, '198.51.100.1').login(u.email, 'pas le bon mot de passe');
    const unknown = await new Client(t.app, '198.51.100.1').login(
      'personne@example.fr',
      'pas le bon mot de passe',
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (b: string) => /<div class="fr-alert fr-alert--error[^>]*><p>([^<]*)</.exec(b)?.[1];
    expect(message(wrong.body)).toBe('Adresse électronique ou mot de passe incorrect.');
    expect(message(unknown.body)).toBe(message(wrong.body));
  });

  it('sets an httpOnly, SameSite=Lax session cookie and rotates the id at each sign-in', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const c = new Client(t.app, '198.51.100.2');
    const first = await c.login(u.email);
    expect(first.status).toBe(303);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/maillage_session=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // publicUrl is http in tests
    const id1 = c.cookies.get('maillage_session') as string;
    expect(id1).toMatch(/^[\w-]{40,}$/);
    // A session id planted before sign-in (fixation) is never kept: sign-in always issues a new one.
    const planted = new Client(t.app, '198.51.100.2');
    planted.cookies.set('maillage_session', 'planted-by-someone-else-0123456789');
    await planted.login(u.email);
    expect(planted.cookies.get('maillage_session')).not.toBe('planted-by-someone-else-0123456789');
    expect(planted.cookies.get('maillage_session')).not.toBe(id1);
    // Signing in again from a signed-in browser replaces (and closes) the previous session.
    await c.get('/espace');
    await c.post('/espace/connexion', { email: u.email, password: PASSWORD });
    const id2 = c.cookies.get('maillage_session');
    expect(id2).toBeTruthy();
    expect(id2).not.toBe(id1);
    const stale = new Client(t.app);
    stale.cookies.set('maillage_session', id1);
    expect((await stale.get('/espace')).status).toBe(303);
    // Sign-out ends the session.
    await c.get('/espace');
    expect((await c.post('/espace/deconnexion', {})).status).toBe(303);
    expect((await c.get('/espace')).location).toContain('/espace/connexion');
  });

  it('locks an account after 5 failures with a clear French message, even with the right password', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const c = new Client(t.app, '198.51.100.3');
    for (let i = 0; i < 4; i++) expect((await c.login(u.email, 'mauvais mot de passe')).status).toBe(401);
    const fifth = await c.login(u.email, 'mauvais mot de passe');
    expect(fifth.status).toBe(429);
    expect(fifth.body).toContain('Trop de tentatives de connexion pour ce compte');
    const right = await new Client(t.app, '198.51.100.4').login(u.email);
    expect(right.status).toBe(429);
    expect(right.body).toContain('bloquée jusqu’à');
  });

  it('throttles an IP address that tries many accounts', async () => {
    const c = new Client(t.app, '203.0.113.66');
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await c.login(`inconnu${i}@example.fr`, 'x')).status;
    expect(last).toBe(429);
    const u = await createUser(t.ctx, { role: 'agent' });
    const blocked = await c.login(u.email);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toContain('depuis votre réseau');
  });

  it('resets a password by a single-use e-mailed link; a reused or expired link gets a clear page', async () => {
    const u = await createUser(t.ctx, { role: 'responsable' });
    const c = new Client(t.app, '198.51.100.5');
    await c.get('/espace/mot-de-passe-oublie');
    const asked = await c.post('/espace/mot-de-passe-oublie', { email: u.email.toUpperCase() });
    expect(asked.body).toContain('Si un compte existe pour cette adresse');
    const unknown = await c.post('/espace/mot-de-passe-oublie', { email: 'personne@example.fr' });
    expect(unknown.body).toContain('Si un compte existe pour cette adresse');
    await settleDeliveries(); // the mail leaves after the answer
    expect(smtp.mails.some((m) => m.to.includes('personne@example.fr'))).toBe(false);
    const link = smtp.linkTo(u.email, '/espace/reinitialiser?jeton=');
    expect(link).toBeTruthy();
    const token = new URL(link as string).searchParams.get('jeton') as string;
    expect((await c.get(path(link as string))).status).toBe(200);
    const mismatch = await c.post('/espace/reinitialiser', {
      jeton: token,
      password: 'nouveau mot de passe sûr',
      confirmation: 'autre',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toContain('identiques');
    const done = await c.post('/espace/reinitialiser', {
      jeton: token,
      password: 'nouveau mot de passe sûr',
      confirmation: 'nouveau mot de passe sûr',
    });
    expect(done.status).toBe(303);
    expect((await new Client(t.app, '198.51.100.6').login(u.email, 'nouveau mot de passe sûr')).status).toBe(
      303,
    );
    expect((await new Client(t.app, '198.51.100.6').login(u.email, PASSWORD)).status).toBe(401);
    // Reused
    const reused = await new Client(t.app).get(path(link as string));
    expect(reused.status).toBe(410);
    expect(reused.body).toContain('déjà été utilisé');
    expect(reused.body).toContain('href="/espace/mot-de-passe-oublie"');
    // Expired
    const fresh = new Client(t.app, '198.51.100.5');
    await fresh.get('/espace/mot-de-passe-oublie');
    await fresh.post('/espace/mot-de-passe-oublie', { email: u.email });
    await settleDeliveries();
    const link2 = smtp.linkTo(u.email, '/espace/reinitialiser?jeton=') as string;
    await t.ctx.db
      .updateTable('one_time_tokens')
      .set({ expires_at: new Date('2020-01-01T00:00:00Z') })
      .where('purpose', '=', 'reset')
      .execute();
    const expired = await new Client(t.app).get(path(link2));
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('a expiré');
    expect(expired.body).toContain('Demander un nouveau lien');
    const bogus = await new Client(t.app).get('/espace/reinitialiser?jeton=nimportequoinimportequoi');
    expect(bogus.status).toBe(404);
    // Tokens are stored hashed only.
    const stored = await t.ctx.db.selectFrom('one_time_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
  });

  it('invites an agent by e-mail; the invitation creates the password and opens a session', async () => {
    const s = await insertStructure(t.ctx);
    const resp = await createUser(t.ctx, { role: 'responsable', structureIds: [s.id] });
    const c = new Client(t.app, '198.51.100.7');
    await c.login(resp.email);
    await c.get(`/espace/structures/${s.id}/agents`);
    const sent = await c.post(`/espace/structures/${s.id}/agents`, {
      email: 'nouvel.agent@example.fr',
      role: 'agent',
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('Invitation envoyée');
    const notAllowed = await c.post(`/espace/structures/${s.id}/agents`, {
      email: 'chef@example.fr',
      role: 'national',
    });
    expect(notAllowed.status).toBe(400);
    const link = smtp.linkTo('nouvel.agent@example.fr', '/espace/invitation?jeton=') as string;
    expect(link).toBeTruthy();
    const invited = new Client(t.app, '198.51.100.8');
    const form = await invited.get(path(link));
    expect(form.body).toContain('nouvel.agent@example.fr');
    const ok = await invited.post('/espace/invitation', {
      jeton: new URL(link).searchParams.get('jeton'),
      displayName: 'Nouvel Agent',
      password: 'un mot de passe assez long',
      confirmation: 'un mot de passe assez long',
    });
    expect(ok.status).toBe(303);
    const home = await invited.get('/espace');
    expect(home.body).toContain(s.name);
    expect((await invited.get(path(link))).status).toBe(410);
  });

  it('refuses a form without its CSRF token, and with a token from another session', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const c = new Client(t.app, '198.51.100.9');
    await c.get('/espace/connexion');
    const missing = await c.post('/espace/connexion', { email: u.email, password: PASSWORD, _csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('Formulaire expiré');
    const other = new Client(t.app, '198.51.100.9');
    await other.get('/espace/connexion');
    const forged = await c.post('/espace/connexion', {
      email: u.email,
      password: PASSWORD,
      _csrf: other.csrf,
    });
    expect(forged.status).toBe(403);
  });

  it('answers an over-long sign-in or reset form with a French page, never a 500', async () => {
    const c = new Client(t.app, '198.51.100.10');
    await c.get('/espace/connexion');
    for (const [url, body] of [
      ['/espace/connexion', { email: `${'a'.repeat(2000)}@example.fr`, password: PASSWORD }],
      ['/espace/mot-de-passe-oublie', { email: `<script>${'a'.repeat(2000)}` }],
    ] as const) {
      const r = await c.post(url, body);
      expect(r.status, url).toBe(400);
      expect(r.body).toContain('Formulaire incorrect');
      expect(r.body).not.toContain('<script>');
    }
  });

  it('create-admin prints a one-time link; purge removes accounts deactivated past the retention period', async () => {
    const out = await runCreateAdmin(t.ctx, 'Second.Admin@Example.fr');
    expect(out).toMatch(/http:\/\/localhost:\d+\/espace\/invitation\?jeton=/);
    await expect(runCreateAdmin(t.ctx, 'second.admin@example.fr')).rejects.toThrow(/existe déjà/);
    const old = await createUser(t.ctx, { role: 'agent' });
    const recent = await createUser(t.ctx, { role: 'agent' });
    const now = t.ctx.clock.now().getTime();
    await t.ctx.db
      .updateTable('users')
      .set({ active: false, deactivated_at: new Date(now - 400 * 86_400_000) })
      .where('id', '=', old.id)
      .execute();
    await t.ctx.db
      .updateTable('users')
      .set({ active: false, deactivated_at: new Date(now - 10 * 86_400_000) })
      .where('id', '=', recent.id)
      .execute();
    await t.ctx.db
      .insertInto('login_attempts')
      .values({
        email: 'vieux@example.fr',
        ip: '192.0.2.99',
        success: false,
        at: new Date(now - 60 * 86_400_000),
      })
      .execute();
    const r = await runPurge(t.ctx);
    expect(r.purged).toBe(1);
    expect(r.traces).toBeGreaterThan(0);
    const oldAttempts = await t.ctx.db
      .selectFrom('login_attempts')
      .select('id')
      .where('email', '=', 'vieux@example.fr')
      .execute();
    expect(oldAttempts).toEqual([]);
    const spent = await t.ctx.db
      .selectFrom('one_time_tokens')
      .select('id')
      .where('used_at', 'is not', null)
      .execute();
    expect(spent).toEqual([]);
    const left = await t.ctx.db
      .selectFrom('users')
      .select('id')
      .where('id', 'in', [old.id, recent.id])
      .execute();
    expect(left.map((x) => x.id)).toEqual([recent.id]);
  });
});

describe('over HTTPS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { publicUrl: 'https://france-services.example' } });
  });
  afterAll(async () => t?.close());

  it('marks the session and CSRF cookies Secure', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const c = new Client(t.app);
    const form = await c.get('/espace/connexion');
    expect(String(form.headers['set-cookie'])).toMatch(/maillage_csrf=[^;]+;.*Secure/i);
    const r = await c.login(u.email);
    expect(r.status).toBe(303);
    expect(String(r.headers['set-cookie'])).toMatch(
      /maillage_session=[^;]+;.*HttpOnly.*Secure|maillage_session=[^;]+;.*Secure.*HttpOnly/i,
    );
  });
});
