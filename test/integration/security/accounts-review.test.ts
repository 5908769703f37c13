import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAccessLink } from '../../../src/cli/commands/users.js';
import { settleDeliveries } from '../../../src/services/accounts/mail.service.js';
import { Client, createUser, insertStructure, PASSWORD } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

/**
 * Regression tests for the account findings of the security review (issue 9, docs/adr/0004):
 * each one replays the attack that got through.
 */

const pathOf = (link: string) => {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
};
/** A page without its per-session parts (CSRF token), to compare two answers word for word. */
const comparable = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');
const TOKEN_IN_CLEAR = /jeton=[A-Za-z0-9_-]{20,}/;

describe('security review: accounts (no SMTP: mails wait in the outbox)', () => {
  let t: TestApp;
  let mine: { id: string; name: string };
  let theirs: { id: string; name: string };
  let manager: { id: string; email: string };
  let victim: { id: string; email: string };
  let national: { id: string; email: string };

  beforeAll(async () => {
    t = await buildTestApp();
    mine = await insertStructure(t.ctx, { name: 'France Services de Guise', departement: '02' });
    theirs = await insertStructure(t.ctx, { name: 'France Services d’Abscon', departement: '59' });
    manager = await createUser(t.ctx, { role: 'responsable', structureIds: [mine.id] });
    victim = await createUser(t.ctx, { role: 'agent', structureIds: [theirs.id] });
    national = await createUser(t.ctx, { role: 'national' });
  });
  afterAll(async () => {
    await settleDeliveries();
    await t?.close();
  });

  const membersOf = async (structureId: string) =>
    (
      await t.ctx.db
        .selectFrom('user_structures')
        .select('user_id')
        .where('structure_id', '=', structureId)
        .execute()
    ).map((r) => r.user_id);
  const activeOf = async (userId: string) =>
    (await t.ctx.db.selectFrom('users').select('active').where('id', '=', userId).executeTakeFirstOrThrow())
      .active;

  it('finding 1: a manager cannot attach an agent of another structure without their acceptance', async () => {
    const c = new Client(t.app, '198.51.100.21');
    await c.login(manager.email);
    await c.get(`/espace/structures/${mine.id}/agents`);
    const attack = await c.post(`/espace/structures/${mine.id}/agents`, {
      email: victim.email,
      role: 'agent',
    });
    expect(attack.status).toBe(200);
    expect(attack.body).not.toContain('Compte existant rattaché');
    expect(await membersOf(mine.id)).not.toContain(victim.id);
    // The manager cannot act on the account: it is not a member of their structure.
    const disable = await c.post(`/espace/structures/${mine.id}/agents/${victim.id}/desactiver`, {});
    expect(disable.status).toBe(404);
    expect(await activeOf(victim.id)).toBe(true);
    // The person was told, and answers while signed in as themselves.
    const mail = await t.ctx.db
      .selectFrom('outbox')
      .select('body')
      .where('recipient', '=', victim.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.body).toContain('/espace/rattachements');
    const invitation = await t.ctx.db
      .selectFrom('membership_invitations')
      .select('id')
      .where('user_id', '=', victim.id)
      .executeTakeFirstOrThrow();
    // Nobody else can answer it, the manager included.
    expect((await c.post(`/espace/rattachements/${invitation.id}/accepter`, {})).status).toBe(404);
    expect(await membersOf(mine.id)).not.toContain(victim.id);
    const v = new Client(t.app, '198.51.100.22');
    await v.login(victim.email);
    const list = await v.get('/espace/rattachements');
    expect(list.body).toContain('France Services de Guise');
    const accepted = await v.post(`/espace/rattachements/${invitation.id}/accepter`, {});
    expect(accepted.status).toBe(200);
    expect(await membersOf(mine.id)).toContain(victim.id);
    expect((await v.post(`/espace/rattachements/${invitation.id}/accepter`, {})).status).toBe(404);
  });

  it('finding 1: a manager removes someone from their structure but can neither disable nor re-enable the account', async () => {
    const c = new Client(t.app, '198.51.100.23');
    await c.login(manager.email);
    await c.get(`/espace/structures/${mine.id}/agents`);
    // Victim is a member of both structures now (accepted above).
    const disable = await c.post(`/espace/structures/${mine.id}/agents/${victim.id}/desactiver`, {});
    expect(disable.status).toBe(403);
    expect(disable.body).toContain('Seule l’équipe nationale');
    expect(await activeOf(victim.id)).toBe(true);
    const v = new Client(t.app, '198.51.100.24');
    await v.login(victim.email);
    expect((await v.get('/espace')).status).toBe(200); // session still open
    // The national team disables the account; the manager cannot bring it back.
    const n = new Client(t.app, '198.51.100.25');
    await n.login(national.email);
    await n.get(`/espace/structures/${mine.id}/agents`);
    expect((await n.post(`/espace/structures/${mine.id}/agents/${victim.id}/desactiver`, {})).status).toBe(
      200,
    );
    expect(await activeOf(victim.id)).toBe(false);
    await c.get(`/espace/structures/${mine.id}/agents`);
    const reenable = await c.post(`/espace/structures/${mine.id}/agents/${victim.id}/reactiver`, {});
    expect(reenable.status).toBe(403);
    expect(await activeOf(victim.id)).toBe(false);
    // Removing from the own structure is the manager's tool: the account and other memberships stay.
    const removed = await c.post(`/espace/structures/${mine.id}/agents/${victim.id}/retirer`, {});
    expect(removed.status).toBe(200);
    expect(await membersOf(mine.id)).not.toContain(victim.id);
    expect(await membersOf(theirs.id)).toContain(victim.id);
    // And not from another structure.
    const elsewhere = await c.post(`/espace/structures/${theirs.id}/agents/${victim.id}/retirer`, {});
    expect(elsewhere.status).toBe(404);
    expect(await membersOf(theirs.id)).toContain(victim.id);
    expect((await n.post(`/espace/structures/${theirs.id}/agents/${victim.id}/reactiver`, {})).status).toBe(
      200,
    );
  });

  it('finding 9: inviting an existing address answers exactly like a new one and never names its role', async () => {
    const c = new Client(t.app, '198.51.100.26');
    await c.login(manager.email);
    await c.get(`/espace/structures/${mine.id}/agents`);
    const fresh = await c.post(`/espace/structures/${mine.id}/agents`, {
      email: 'jamais.vu@example.fr',
      role: 'agent',
    });
    const existingAgent = await c.post(`/espace/structures/${mine.id}/agents`, {
      email: victim.email,
      role: 'agent',
    });
    const existingNational = await c.post(`/espace/structures/${mine.id}/agents`, {
      email: national.email,
      role: 'agent',
    });
    expect(fresh.status).toBe(200);
    expect(existingAgent.status).toBe(200);
    expect(existingNational.status).toBe(200);
    const alertOf = (body: string) => /<div class="fr-alert[\s\S]*?<\/div>/.exec(body)?.[0];
    expect(alertOf(fresh.body)).toBeTruthy();
    expect(alertOf(existingAgent.body)).toBe(alertOf(fresh.body));
    expect(alertOf(existingNational.body)).toBe(alertOf(fresh.body));
    expect(existingNational.body).not.toContain('Équipe nationale');
    // Nothing changed for the national account.
    expect(await membersOf(mine.id)).not.toContain(national.id);
  });

  it('finding 3: admin_technique cannot grant a national role, to anyone or itself', async () => {
    const admin = await createUser(t.ctx, { role: 'admin_technique' });
    const c = new Client(t.app, '198.51.100.27');
    await c.login(admin.email);
    expect((await c.get('/espace/inviter')).body).not.toContain('value="national"');
    for (const role of ['national', 'admin_technique']) {
      const r = await c.post('/espace/inviter', { email: `promu.${role}@example.fr`, role });
      expect(r.status, role).toBe(400);
      expect(r.body).toContain('Vous ne pouvez pas attribuer ce rôle');
    }
    const self = await c.post('/espace/inviter', { email: admin.email, role: 'national' });
    expect(self.status).toBe(400);
    const rows = await t.ctx.db
      .selectFrom('users')
      .select(['email', 'role'])
      .where('email', 'like', 'promu.%')
      .execute();
    expect(rows).toEqual([]);
    expect(
      (await t.ctx.db.selectFrom('users').select('role').where('id', '=', admin.id).executeTakeFirstOrThrow())
        .role,
    ).toBe('admin_technique');
    // The national team still can.
    const n = new Client(t.app, '198.51.100.28');
    await n.login(national.email);
    await n.get('/espace/inviter');
    expect(
      (await n.post('/espace/inviter', { email: 'vrai.national@example.fr', role: 'national' })).status,
    ).toBe(200);
  });

  it('finding 3: the outbox never shows a usable token, and stored mails keep none in clear', async () => {
    const admin = await createUser(t.ctx, { role: 'admin_technique' });
    const target = await createUser(t.ctx, { role: 'agent', structureIds: [mine.id] });
    const anon = new Client(t.app, '198.51.100.29');
    await anon.get('/espace/mot-de-passe-oublie');
    await anon.post('/espace/mot-de-passe-oublie', { email: target.email });
    await settleDeliveries();
    const c = new Client(t.app, '198.51.100.30');
    await c.login(admin.email);
    await c.get('/espace/inviter');
    await c.post('/espace/inviter', { email: 'nouvel.auditeur@example.fr', role: 'auditeur' });
    const page = await c.get('/espace/courriels');
    expect(page.status).toBe(200);
    expect(page.body).toContain(target.email);
    expect(page.body).toContain('nouvel.auditeur@example.fr');
    expect(page.body).toContain('lien personnel envoyé au seul destinataire');
    expect(page.body).not.toMatch(TOKEN_IN_CLEAR);
    const stored = await t.ctx.db.selectFrom('outbox').select('body').execute();
    expect(stored.length).toBeGreaterThan(2);
    for (const m of stored) expect(m.body).not.toMatch(TOKEN_IN_CLEAR);
    // Without SMTP, whoever runs the server prints a working link for the recipient.
    const out = await runAccessLink(t.ctx, target.email);
    const link = /http\S+/.exec(out)?.[0] as string;
    expect(link).toContain('/espace/reinitialiser?jeton=');
    expect((await new Client(t.app).get(pathOf(link))).status).toBe(200);
    const invited = await runAccessLink(t.ctx, 'nouvel.auditeur@example.fr');
    expect(invited).toContain('/espace/invitation?jeton=');
  });

  it('finding 4: no open redirect after sign-in, and no 500 on control characters', async () => {
    const c = new Client(t.app, '198.51.100.31');
    await c.login(manager.email);
    const hostile = [
      '%2F%09%2F127.0.0.1:3999%2Fphish',
      '%2F%0A%2Fx',
      '%2F%0D%2Fx',
      '%2F%2Fevil.example',
      '%2F%5Cevil.example',
      '%5C%5Cevil.example',
      'https%3A%2F%2Fevil.example',
      '%2F%252F%252Fevil.example',
      'javascript%3Aalert(1)',
      '%2F%00x',
      '%E0%A4%A',
    ];
    for (const retour of hostile) {
      const r = await c.get(`/espace/connexion?retour=${retour}`);
      expect(r.status, retour).toBe(303);
      expect(r.location, retour).toBe('/espace');
    }
    const ok = await c.get(
      `/espace/connexion?retour=${encodeURIComponent(`/espace/structures/${mine.id}?onglet=2`)}`,
    );
    expect(ok.location).toBe(`/espace/structures/${mine.id}?onglet=2`);
    // The sign-in form's hidden field goes through the same rule.
    const fresh = new Client(t.app, '198.51.100.32');
    await fresh.get('/espace/connexion');
    const posted = await fresh.post('/espace/connexion', {
      email: manager.email,
      password: PASSWORD,
      retour: '/\t/127.0.0.1:3999/phish',
    });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('/espace');
  });

  it('finding 6a: 20 simultaneous attempts are ranked atomically: at most five are ever checked', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const clients = Array.from({ length: 20 }, () => new Client(t.app, '198.51.100.40'));
    await Promise.all(clients.map((c) => c.get('/espace/connexion')));
    // On a server database the requests reach it in any order, so every one carries a wrong password:
    // the property is that concurrency buys no extra guess, whatever the order.
    const answers = await Promise.all(
      clients.map((c, i) => c.post('/espace/connexion', { email: u.email, password: `mauvais ${i}` })),
    );
    expect(answers.filter((a) => a.status === 303)).toHaveLength(0);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(16);
    // Only the first five ranks were checked against the hash (each check is recorded).
    const checked = await t.ctx.db
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', '=', u.email)
      .executeTakeFirstOrThrow();
    expect(Number(checked.n)).toBeLessThanOrEqual(5);
    // And the right password, now, is refused too: the lockout holds.
    const late = new Client(t.app, '198.51.100.41');
    await late.get('/espace/connexion');
    const right = await late.post('/espace/connexion', { email: u.email, password: PASSWORD });
    expect(right.status).toBe(429);
    const sessions = await t.ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', u.id)
      .execute();
    expect(sessions).toEqual([]);
  });

  it('finding 6b: a client-supplied X-Forwarded-For neither escapes the per-IP limit nor reaches the audit', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) {
      const r = await t.app.inject({
        method: 'GET',
        url: '/espace/connexion',
        remoteAddress: '203.0.113.90',
      });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1] ?? '';
      const cookie = r.cookies.map((k) => `${k.name}=${k.value}`).join('; ');
      const post = await t.app.inject({
        method: 'POST',
        url: '/espace/connexion',
        remoteAddress: '203.0.113.90',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': `10.9.${i}.1`,
        },
        payload: new URLSearchParams({ _csrf: csrf, email: `x${i}@example.fr`, password: 'x' }).toString(),
      });
      last = post.statusCode;
    }
    expect(last).toBe(429);
    const ips = await t.ctx.db
      .selectFrom('login_attempts')
      .select('ip')
      .where('email', 'like', 'x%@example.fr')
      .execute();
    expect(new Set(ips.map((r) => r.ip))).toEqual(new Set(['203.0.113.90']));
  });

  it('finding 12: reset requests are throttled per account and per IP, with the same answer for unknown addresses', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const c = new Client(t.app, `198.51.101.${i + 1}`);
      await c.get('/espace/mot-de-passe-oublie');
      const r = await c.post('/espace/mot-de-passe-oublie', { email: u.email });
      statuses.push(r.status);
      if (i === 19) expect(r.body).toContain('Trop de demandes de réinitialisation');
    }
    await settleDeliveries();
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
    const mails = await t.ctx.db.selectFrom('outbox').select('id').where('recipient', '=', u.email).execute();
    expect(mails).toHaveLength(3);
    // An unknown address is throttled the same way (no existence leak).
    const unknown: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = new Client(t.app, `198.51.102.${i + 1}`);
      await c.get('/espace/mot-de-passe-oublie');
      unknown.push(
        comparable((await c.post('/espace/mot-de-passe-oublie', { email: 'personne@example.fr' })).body),
      );
    }
    const known: string[] = [];
    const v = await createUser(t.ctx, { role: 'agent' });
    for (let i = 0; i < 4; i++) {
      const c = new Client(t.app, `198.51.103.${i + 1}`);
      await c.get('/espace/mot-de-passe-oublie');
      known.push(comparable((await c.post('/espace/mot-de-passe-oublie', { email: v.email })).body));
    }
    expect(known).toEqual(unknown);
    // Per IP: many addresses from one network.
    const net = new Client(t.app, '198.51.104.1');
    await net.get('/espace/mot-de-passe-oublie');
    const fromOneIp: number[] = [];
    for (let i = 0; i < 11; i++)
      fromOneIp.push((await net.post('/espace/mot-de-passe-oublie', { email: `p${i}@example.fr` })).status);
    expect(fromOneIp.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(fromOneIp[10]).toBe(429);
    await settleDeliveries();
  });
});

describe('security review: accounts behind a configured proxy, and with a stalled SMTP server', () => {
  let t: TestApp;
  let stalled: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // An SMTP server that accepts the connection and never greets: a mail sent in the request path
    // would hold the answer for nodemailer's whole greeting timeout.
    stalled = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const port = (stalled.address() as { port: number }).port;
    t = await buildTestApp({ config: { smtpUrl: `smtp://127.0.0.1:${port}`, trustProxy: ['127.0.0.1'] } });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    stalled?.close();
    await settleDeliveries();
    await t?.close();
  });

  it('finding 9: a reset request answers before any mail is sent, the same for known and unknown accounts', async () => {
    const u = await createUser(t.ctx, { role: 'agent' });
    const ask = async (email: string, ip: string) => {
      const c = new Client(t.app, ip);
      await c.get('/espace/mot-de-passe-oublie');
      return c.post('/espace/mot-de-passe-oublie', { email });
    };
    const known = await ask(u.email, '198.51.105.1');
    const unknown = await ask('inconnu@example.fr', '198.51.105.2');
    expect(known.status).toBe(200);
    expect(comparable(known.body)).toBe(comparable(unknown.body));
    // The answer came back while the SMTP server had not even greeted: the mail is sent afterwards.
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets.size).toBe(1);
    for (const s of sockets) s.destroy();
    await settleDeliveries();
    const kept = await t.ctx.db.selectFrom('outbox').select(['recipient', 'body', 'error']).execute();
    expect(kept.map((m) => m.recipient)).toEqual([u.email]);
    expect(kept[0]?.body).not.toMatch(TOKEN_IN_CLEAR);
  }, 20_000);

  it('finding 6b: X-Forwarded-For is believed from the configured proxy only', async () => {
    const from = async (remoteAddress: string) => {
      const r = await t.app.inject({
        method: 'GET',
        url: '/espace/connexion',
        remoteAddress,
        headers: { 'x-forwarded-for': '192.0.2.77' },
      });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1] ?? '';
      await t.app.inject({
        method: 'POST',
        url: '/espace/connexion',
        remoteAddress,
        headers: {
          cookie: r.cookies.map((k) => `${k.name}=${k.value}`).join('; '),
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '192.0.2.77',
        },
        payload: new URLSearchParams({
          _csrf: csrf,
          email: `via.${remoteAddress}@example.fr`,
          password: 'x',
        }).toString(),
      });
    };
    await from('127.0.0.1');
    await from('198.51.100.99');
    const rows = await t.ctx.db
      .selectFrom('login_attempts')
      .select(['email', 'ip'])
      .where('email', 'like', 'via.%')
      .orderBy('email')
      .execute();
    expect(rows).toEqual([
      { email: 'via.127.0.0.1@example.fr', ip: '192.0.2.77' },
      { email: 'via.198.51.100.99@example.fr', ip: '198.51.100.99' },
    ]);
  });
});
