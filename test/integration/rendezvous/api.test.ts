import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { bookingFixture } from '../../support/rendezvous.js';

/** The public API of issue 15: free slots, booking, every bad input, and 20 requests for one slot. */
let t: TestApp;
let f: Awaited<ReturnType<typeof bookingFixture>>;
let ipSeq = 0;
const nextIp = () => `198.51.100.${++ipSeq}`;

const count = async (table: 'rendezvous' | 'rendezvous_occupations') =>
  Number(
    (
      await t.ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const book = (body: Record<string, unknown>, ip = nextIp()) =>
  t.app.inject({ method: 'POST', url: '/api/v1/rendez-vous', payload: body, remoteAddress: ip });
const valid = (over: Record<string, unknown> = {}) => ({
  structure: f.structure.id,
  motif: f.motif.id,
  start: '2026-11-25T09:00:00+01:00',
  name: 'Marie Dupont',
  email: 'marie.dupont@example.fr',
  ...over,
});

beforeAll(async () => {
  // Tuesday 24 November 2026, 10:30 in Saint-Quentin.
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z' });
  f = await bookingFixture(t.ctx);
});
afterAll(() => t.close());

describe('GET /api/v1/structures/:id/creneaux', () => {
  it('lists free slots over 8 weeks by default, ISO with the local offset, respecting the notice', async () => {
    const res = await t.app.inject(`/api/v1/structures/${f.structure.id}/creneaux`);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ start: string; end: string; motif: string }>;
    // Today 10:30: with one hour's notice, 11:30 is the first; tomorrow starts at 09:00.
    expect(items.slice(0, 2)).toEqual([
      { start: '2026-11-24T11:30:00+01:00', end: '2026-11-24T12:00:00+01:00', motif: f.motif.id },
      { start: '2026-11-25T09:00:00+01:00', end: '2026-11-25T09:30:00+01:00', motif: f.motif.id },
    ]);
    // No slot on Friday 25 December (Christmas), none on weekends, none after 8 weeks.
    expect(items.some((s) => s.start.startsWith('2026-12-25'))).toBe(false);
    expect(items.some((s) => s.start.startsWith('2026-11-28'))).toBe(false);
    expect((items.at(-1)?.start ?? '') < '2027-01-20').toBe(true);
    expect(res.json().truncated).toBe(false);
  });

  it('takes a range and a motif, and refuses bad ones in French with the field', async () => {
    const url = (q: string) => `/api/v1/structures/${f.structure.id}/creneaux?${q}`;
    const one = await t.app.inject(
      url(`from=2026-11-30T00:00:00%2B01:00&to=2026-12-01T00:00:00%2B01:00&motif=${f.motif.id}`),
    );
    expect(one.json().items).toHaveLength(6);
    const cases: Array<[string, number, string]> = [
      ['from=hier', 400, 'from'],
      ['from=2026-11-30T00:00:00Z&to=2027-06-01T00:00:00Z', 400, 'to'],
      ['from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z', 400, 'to'],
      ['motif=00000000-0000-0000-0000-000000000000', 404, 'motif'],
      ['motif=<script>', 404, 'motif'],
      [`from=${'9'.repeat(100)}`, 400, 'from'],
    ];
    for (const [q, status, field] of cases) {
      const res = await t.app.inject(url(q));
      expect(res.statusCode, q).toBe(status);
      expect(res.json().field, q).toBe(field);
      expect(res.json().message, q).toMatch(/[éèàêûô]|motif|date/i);
    }
    const unknown = await t.app.inject('/api/v1/structures/00000000-0000-0000-0000-000000000000/creneaux');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('POST /api/v1/rendez-vous', () => {
  it('books a slot: 201 with the cancel link; the slot is no longer offered; a confirmation mail', async () => {
    const res = await book(valid());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      start: '2026-11-25T09:00:00+01:00',
      end: '2026-11-25T09:30:00+01:00',
      motif: f.motif.id,
    });
    expect(body.cancelUrl).toMatch(/^http:\/\/localhost:\d+\/rendez-vous\/gerer\?jeton=[\w-]{20,}$/);
    const slots = await t.app.inject(`/api/v1/structures/${f.structure.id}/creneaux`);
    expect(slots.json().items.map((s: { start: string }) => s.start)).not.toContain(
      '2026-11-25T09:00:00+01:00',
    );
    const mail = await t.ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'marie.dupont@example.fr')
      .executeTakeFirst();
    expect(mail?.subject).toMatch(/Rendez-vous confirmé : mercredi 25 novembre 2026 à 09:00/);
    expect(mail?.body).not.toContain(body.cancelUrl.split('jeton=')[1]); // the outbox keeps no usable link
    expect(await count('rendezvous_occupations')).toBe(6); // 30 minutes = six 5-minute units
  });

  it('refuses every bad input with a clear French message, and changes nothing', async () => {
    const before = [await count('rendezvous'), await count('rendezvous_occupations')];
    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [valid(), 409, 'start', /vient d’être réservé/],
      [valid({ start: '2026-11-23T09:00:00+01:00' }), 400, 'start', /déjà passé/],
      [valid({ start: '2026-11-24T10:00:00+01:00' }), 400, 'start', /déjà passé/],
      [valid({ start: '2026-11-24T11:00:00+01:00' }), 400, 'start', /trop proche/],
      [valid({ start: '2027-03-01T09:00:00+01:00' }), 400, 'start', /trop lointain/],
      [valid({ start: '2026-11-25T14:00:00+01:00' }), 400, 'start', /disponibilités/],
      [valid({ start: '2026-11-25T09:10:00+01:00' }), 400, 'start', /disponibilités/],
      [valid({ start: '2026-11-28T09:00:00+01:00' }), 400, 'start', /disponibilités/],
      [valid({ start: 'demain matin' }), 400, 'start', /ISO 8601/],
      [
        valid({ start: '2026-11-26T09:00:00+01:00', email: 'pas-une-adresse' }),
        400,
        'email',
        /Adresse électronique invalide/,
      ],
      [
        valid({ start: '2026-11-26T09:00:00+01:00', email: undefined, phone: '06 12' }),
        400,
        'phone',
        /téléphone invalide/,
      ],
      [
        valid({ start: '2026-11-26T09:00:00+01:00', email: undefined }),
        400,
        'email',
        /adresse électronique ou un numéro/,
      ],
      [
        valid({ start: '2026-11-26T09:00:00+01:00', name: 'x'.repeat(10_240) }),
        400,
        'name',
        /ne doit pas dépasser/,
      ],
      [valid({ start: '2026-11-26T09:00:00+01:00', name: 'x'.repeat(150) }), 400, 'name', /100 caractères/],
      [valid({ start: '2026-11-26T09:00:00+01:00', name: { a: 1 } }), 400, 'name', /Type/],
      [valid({ motif: '00000000-0000-0000-0000-000000000000' }), 404, 'motif', /motif/],
      [valid({ structure: 'nope' }), 404, '', /France Services/],
      [{ ...valid(), extra: 'x' }, 409, 'start', /réservé/], // unknown properties are dropped
    ];
    for (const [body, status, field, message] of cases) {
      const res = await book(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 120)).toBe(status);
      const json = res.json();
      expect(json.error).toBeTypeOf('string');
      if (field) expect(json.field).toBe(field);
      expect(json.message).toMatch(message);
    }
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rendez-vous',
      payload: { ...valid(), name: 'x'.repeat(40_000) },
      remoteAddress: nextIp(),
    });
    expect(huge.statusCode).toBe(413);
    expect([await count('rendezvous'), await count('rendezvous_occupations')]).toEqual(before);
  });

  it('keeps HTML in a name as text', async () => {
    const res = await book(valid({ start: '2026-11-26T09:00:00+01:00', name: '<script>alert(1)</script>' }));
    expect(res.statusCode).toBe(201);
    const row = await t.ctx.db
      .selectFrom('rendezvous')
      .select('nom')
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(row.nom).toBe('<script>alert(1)</script>');
  });

  it('a flood of bookings from one address is refused with 429 and a French message', async () => {
    const ip = '203.0.113.99';
    const statuses: number[] = [];
    let last: { message?: string } = {};
    for (let i = 0; i < 12; i++) {
      const res = await book(valid({ start: '2026-11-23T09:00:00+01:00' }), ip); // each one a 400, counted anyway
      statuses.push(res.statusCode);
      last = res.json();
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(last.message).toMatch(/Trop de requêtes/);
  });

  it('twenty simultaneous requests for one slot: exactly one 201 and nineteen 409', async () => {
    const start = '2026-11-27T10:00:00+01:00';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        book(valid({ start, name: `Personne ${i}`, email: `p${i}@example.fr` })),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      expect(a.json()).toMatchObject({ error: 'conflict', field: 'start' });
    }
    const rows = await t.ctx.db
      .selectFrom('rendezvous')
      .select('id')
      .where('debut', '=', new Date(start))
      .where('statut', '=', 'confirme')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('the database refuses a second booking of the same agent time even without the service’s check', async () => {
    const { insertBooking } = await import('../../../src/db/repositories/rendezvous.repository.js');
    const start = new Date('2026-11-26T08:00:00Z'); // taken above (09:00 local)
    const second = await insertBooking(
      t.ctx.db,
      {
        structure_id: f.structure.id,
        motif_id: f.motif.id,
        agent_id: f.agentUser.id,
        debut: new Date(start.getTime() + 10 * 60_000),
        fin: new Date(start.getTime() + 40 * 60_000),
        nom: 'X',
        courriel: 'x@example.fr',
        telephone: null,
        jeton_hash: null,
        origine: 'agent',
        cree_par: null,
        created_at: new Date(),
      },
      [new Date(start.getTime() + 10 * 60_000), new Date(start.getTime() + 15 * 60_000)],
    );
    expect(second).toBeNull();
  });
});

describe('OpenAPI', () => {
  it('documents both endpoints', async () => {
    const doc = (await t.app.inject('/api/docs/json')).json();
    expect(doc.paths['/api/v1/structures/{id}/creneaux']?.get).toBeDefined();
    expect(doc.paths['/api/v1/rendez-vous']?.post?.responses).toHaveProperty('409');
  });
});
