import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type Client as ClientType, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let fsA: { id: string; idFs: string };
let fsB: { id: string; idFs: string };
let token: string;
let agentA: { id: string; email: string };

const item = (o: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  id_fs: fsA.idFs,
  debut: '2026-11-23T10:00:00+01:00',
  duree_min: 15,
  canal: 'guichet',
  partenaire: 'ants',
  demarche: 'ants.passeport',
  resultat: 'resolu',
  ...o,
});
const post = (items: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
  t.app.inject({ method: 'POST', url: '/api/v1/accompagnements', headers, payload: { items } });
const rawPost = (payload: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/accompagnements',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload,
  });
const total = async () =>
  (
    await t.ctx.db
      .selectFrom('accompagnements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

beforeAll(async () => {
  t = await buildTestApp();
  fsA = await insertStructure(t.ctx);
  fsB = await insertStructure(t.ctx, { departement: '80' });
  const manager = await createUser(t.ctx, { role: 'responsable', structureIds: [fsA.id] });
  agentA = await createUser(t.ctx, { role: 'agent', structureIds: [fsA.id] });
  token = await t.ctx.accompagnement.createToken(
    { id: manager.id, role: 'responsable', structureIds: [fsA.id], departement: null },
    fsA.id,
    'Ancien logiciel',
  );
});
afterAll(() => t.close());

describe('POST /api/v1/accompagnements with a structure token', () => {
  it('creates a batch, and the same batch again is unchanged (idempotent by id)', async () => {
    const items = [item(), item({ canal: 'telephone', partenaire: 'caf', demarche: 'caf.rsa' })];
    const first = await post(items);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ created: 2, updated: 0, unchanged: 0 });
    const again = await post(items);
    expect(again.json()).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(await total()).toBe(2);
  });

  it('rejects the whole batch when one item is invalid, naming its index and field', async () => {
    const before = await total();
    const cases: Array<[unknown, string]> = [
      [[item(), item({ canal: 'pigeon' })], 'items.1.canal'],
      [[item({ duree_min: -3 })], 'items.0.duree_min'],
      [[item(), item(), item({ debut: '2031-01-01T10:00:00+01:00' })], 'items.2.debut'],
      [[item({ debut: '2018-01-01T10:00:00+01:00' })], 'items.0.debut'],
      [[item({ debut: 'demain' })], 'items.0.debut'],
      [[item({ id_fs: 'inconnue' })], 'items.0.id_fs'],
      [[item({ id_fs: fsB.idFs })], 'items.0.id_fs'],
      [[item({ note: 'x'.repeat(1_000_000) })], 'items.0.note'],
      [[item({ partenaire: '<script>alert(1)</script>' })], 'items.0.partenaire'],
      [[item({ duree_min: 12.5 })], 'items.0.duree_min'],
      [[item({ duree_min: 'douze' })], 'items.0.duree_min'],
    ];
    for (const [items, field] of cases) {
      const res = await post(items);
      expect(res.statusCode, field).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, field).toBeLessThan(500);
      const body = res.json();
      expect(body.field ?? '', JSON.stringify(body)).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}`));
      expect(body.message).toMatch(/[éèà]|[a-z]/);
    }
    expect(await total()).toBe(before);
  });

  it('refuses a duplicate id with a different content: 409, nothing written', async () => {
    const first = item();
    await post([first]);
    const before = await total();
    const res = await post([item(), { ...first, duree_min: 40 }]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'conflict', field: 'items.1.id' });
    const twice = await post([
      { ...first, id: randomUUID() },
      { ...first, id: first.id, duree_min: 41 },
    ]);
    expect(twice.statusCode).toBe(409);
    expect(await total()).toBe(before);
  });

  it('bounds the batch and survives hostile bodies', async () => {
    expect((await post(Array.from({ length: 501 }, () => item()))).statusCode).toBe(400);
    expect((await post([])).statusCode).toBe(400);
    expect((await rawPost('{"items":[{"duree_min":1e999')).statusCode).toBe(400);
    const inf = await rawPost(
      JSON.stringify({ items: [item()] }).replace('"duree_min":15', '"duree_min":1e999'),
    );
    expect(inf.statusCode).toBe(400);
    expect(inf.json().field).toMatch(/duree_min/);
    expect((await rawPost('"items"')).statusCode).toBe(400);
    expect((await post('pas une liste')).statusCode).toBe(400);
  });

  it('answers 401 without credentials, or with an unknown or revoked token', async () => {
    expect((await post([item()], {})).json()).toMatchObject({ error: 'unauthenticated' });
    expect((await post([item()], { authorization: 'Bearer mfs_nimportequoinimportequoi' })).statusCode).toBe(
      401,
    );
    const manager = {
      id: randomUUID(),
      role: 'responsable' as const,
      structureIds: [fsA.id],
      departement: null,
    };
    const other = await t.ctx.accompagnement.createToken(manager, fsA.id, 'Tablette du bus');
    const [listed] = (await t.ctx.accompagnement.tokens(manager, fsA.id)).filter(
      (x) => x.label === 'Tablette du bus',
    );
    expect((await post([item()], { authorization: `Bearer ${other}` })).statusCode).toBe(200);
    await t.ctx.accompagnement.revokeToken(manager, fsA.id, listed?.id as string);
    expect((await post([item()], { authorization: `Bearer ${other}` })).statusCode).toBe(401);
    const stored = await t.ctx.db.selectFrom('accompagnement_api_tokens').select('token_hash').execute();
    for (const s of stored) expect(s.token_hash).not.toContain(other.slice(4, 20));
  });
});

describe('with an agent session', () => {
  let client: ClientType;
  beforeAll(async () => {
    client = new Client(t.app);
    expect((await client.login(agentA.email)).status).toBe(303);
    await client.get('/espace');
  });
  const cookie = () => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  it('needs the CSRF header to write, then records as that agent', async () => {
    const noCsrf = await post([item()], { cookie: cookie() });
    expect(noCsrf.statusCode).toBe(403);
    const it1 = item();
    const ok = await post([it1], { cookie: cookie(), 'x-csrf-token': client.csrf });
    expect(ok.json()).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const row = await t.ctx.db
      .selectFrom('accompagnements')
      .select('agent_id')
      .where('id', '=', it1.id)
      .executeTakeFirst();
    expect(row?.agent_id).toBe(agentA.id);
    const other = await post([item({ id_fs: fsB.idFs })], { cookie: cookie(), 'x-csrf-token': client.csrf });
    expect(other.json()).toMatchObject({ field: 'items.0.id_fs' });
  });

  it('GET gives the agent their own records; the token gives the whole structure, paginated, never the note', async () => {
    const mine = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accompagnements',
      headers: { cookie: cookie() },
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items).toHaveLength(1);
    await post([item({ note: 'secret' })]);
    const page1 = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accompagnements?limit=2',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = page1.json();
    expect(body.items).toHaveLength(2);
    expect(body.items[0].id_fs).toBe(fsA.idFs);
    expect(JSON.stringify(body)).not.toContain('secret');
    const seen = new Set(body.items.map((i: { id: string }) => i.id));
    let next = body.next;
    while (next) {
      const more = await t.app.inject({
        method: 'GET',
        url: `/api/v1/accompagnements?limit=2&cursor=${encodeURIComponent(next)}`,
        headers: { authorization: `Bearer ${token}` },
      });
      for (const i of more.json().items) {
        expect(seen.has(i.id)).toBe(false);
        seen.add(i.id);
      }
      next = more.json().next;
    }
    expect(seen.size).toBe(await total());
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accompagnements?limit=100000&cursor=x',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('is documented in the OpenAPI', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(Object.keys(doc.paths['/api/v1/accompagnements'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
  });
});
