import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCONNECT_SCOPES } from '../../../src/services/accounts/proconnect.service.js';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { type LocalProvider, startProvider } from '../../support/oidc.js';

const PUBLIC_URL = 'http://localhost:3000';
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

describe('ProConnect sign-in against a local OpenID provider', () => {
  let t: TestApp;
  let op: LocalProvider;
  beforeAll(async () => {
    op = await startProvider(`${PUBLIC_URL}/espace/proconnect/retour`);
    t = await buildTestApp({
      // Real time: the provider's tokens carry the current instant.
      now: new Date().toISOString(),
      config: {
        publicUrl: PUBLIC_URL,
        proconnect: { issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await op?.close();
  });

  async function signIn(c: Client) {
    const page = await c.get('/espace/connexion');
    expect(page.body).toContain('S’identifier avec');
    const start = await c.post('/espace/proconnect', {});
    expect(start.status).toBe(303);
    const auth = new URL(start.location as string);
    expect(auth.origin).toBe(op.issuer);
    expect(auth.searchParams.get('scope')).toBe(PROCONNECT_SCOPES);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    const back = await op.authorize(auth.href);
    return { back, result: await c.get(pathOf(back)) };
  }

  it('signs in the account invited with the same e-mail, and links the ProConnect identity', async () => {
    const s = await insertStructure(t.ctx);
    const u = await createUser(t.ctx, {
      role: 'agent',
      email: 'agent@example.fr',
      password: null,
      structureIds: [s.id],
      name: '',
    });
    const c = new Client(t.app);
    const { result } = await signIn(c);
    expect(result.status, result.body.slice(0, 400)).toBe(303);
    expect(result.location).toBe('/espace');
    const home = await c.get('/espace');
    expect(home.body).toContain(s.name);
    expect(home.body).toContain('Camille Martin');
    const row = await t.ctx.db
      .selectFrom('users')
      .select(['proconnect_sub'])
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(row.proconnect_sub).toBe('pc-sub-1');
  });

  it('refuses an identity with no invited account, with a clear message', async () => {
    op.identity = { ...op.identity, sub: 'pc-sub-2', email: 'inconnu@example.fr' };
    const c = new Client(t.app);
    const { result } = await signIn(c);
    expect(result.status).toBe(403);
    expect(result.body).toContain(
      'Aucun compte de l’espace France Services n’est ouvert pour inconnu@example.fr',
    );
    expect(c.cookies.has('maillage_session')).toBe(false);
  });

  it('refuses a replayed or forged return', async () => {
    op.identity = { ...op.identity, sub: 'pc-sub-1', email: 'agent@example.fr' };
    const c = new Client(t.app);
    const { back } = await signIn(c);
    const replay = await c.get(pathOf(back));
    expect([404, 410]).toContain(replay.status);
    expect(replay.body).toContain('Revenir à la connexion');
    const forged = await new Client(t.app).get('/espace/proconnect/retour?code=abc&state=def');
    expect([400, 404]).toContain(forged.status);
    expect(forged.body).toContain('Revenir à la connexion');
  });
});
