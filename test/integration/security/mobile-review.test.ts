import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import { CLOSED_WEEK } from '../../../src/domain/directory/opening-hours.js';
import { sampleDocument } from '../../../src/domain/mobile/fixtures.js';
import { Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { aStructure } from '../../support/structures.js';

/**
 * Regression tests for finding 5 of the security review (issue 9, docs/adr/0004-security-review.md): a valid
 * tour of 700 one-minute daily entries (128 KB), posted from the bus back office, blocked the event loop 6.5 s;
 * then `GET /api/v1/mobile/units/<unit>/occurrences?from=2026-12-01&to=2029-12-01` answered 108 MB.
 */
const OCC = '/api/v1/mobile/units/bus-tso/occurrences';
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

describe('security review: bus tours and their calendar (finding 5)', () => {
  let t: TestApp;
  let bus: string;
  let agent: { email: string };

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-24T09:30:00Z' });
    await insertStructures(t.ctx.db, [
      aStructure({ idFs: 'fs-0001', name: 'Bus France services TSO', format: 'bus', hours: CLOSED_WEEK }),
    ]);
    await t.ctx.mobile.load(sampleDocument(), { actor: { label: 'test' } });
    bus = (
      await t.ctx.db
        .selectFrom('structures')
        .select('id')
        .where('id_fs', '=', 'fs-0001')
        .executeTakeFirstOrThrow()
    ).id;
    agent = await createUser(t.ctx, { role: 'agent', structureIds: [bus] });
  });
  afterAll(async () => t?.close());

  const entries = () => t.ctx.db.selectFrom('mobile_entries').selectAll().orderBy('id').execute();

  it('finding 5: the 700-entry tour posted from the bus back office is refused at once, in French, naming the limit', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    await c.get(`/espace/structures/${bus}/bus/tournee`);
    const before = await entries();
    const doc = sampleDocument();
    const first = doc.entries[0] as Record<string, unknown>;
    doc.entries = Array.from({ length: 700 }, (_, k) => ({
      ...first,
      id: `x${k}`,
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',
      start: hhmm(6 * 60 + k),
      end: hhmm(6 * 60 + k + 1),
      from: '2026-12-01',
      until: '2029-12-01',
    })) as typeof doc.entries;
    doc.exceptions = [];
    const res = await c.post(`/espace/structures/${bus}/bus/tournee`, { document: JSON.stringify(doc) });
    expect(res.status).toBe(400);
    expect(res.body).toContain('lang="fr"');
    expect(res.body).toContain('700 entrées de tournée : 200 au plus');
    expect(await entries()).toEqual(before);
  });

  it('finding 5: a three-year range answers a clear 400 {error, field, message}, not 108 MB', async () => {
    const res = await t.app.inject({ url: `${OCC}?from=2026-12-01&to=2029-12-01` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid',
      field: 'to',
      message: expect.stringContaining('366 jours au plus'),
    });
    // A year is fine (366 days inclusive, a leap year too); 367 days is not.
    expect((await t.app.inject({ url: `${OCC}?from=2028-01-01&to=2028-12-31` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `${OCC}?from=2026-01-01&to=2027-01-02` })).statusCode).toBe(400);
  });

  it('finding 5: a year of passages comes in pages that follow each other without gap nor repeat', async () => {
    const whole = (await t.app.inject({ url: `${OCC}?from=2026-01-01&to=2026-12-31&limit=1000` })).json();
    expect(whole.next).toBeNull();
    expect(whole.items.length).toBeGreaterThan(40);
    const pages: unknown[] = [];
    let url: string | null = `${OCC}?from=2026-01-01&to=2026-12-31&limit=7`;
    let count = 0;
    while (url && count < 50) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: unknown[]; next: string | null };
      expect(body.items.length).toBeLessThanOrEqual(7);
      pages.push(...body.items);
      const link = res.headers.link as string | undefined;
      if (body.next) {
        // The Link header carries the whole next address.
        expect(link).toMatch(
          /^<http:\/\/[^>]+\/api\/v1\/mobile\/units\/bus-tso\/occurrences\?[^>]+>; rel="next"$/,
        );
        const next = new URL((link as string).slice(1, link?.indexOf('>')));
        expect(next.searchParams.get('cursor')).toBe(body.next);
        url = `${next.pathname}${next.search}`;
      } else {
        expect(link).toBeUndefined();
        url = null;
      }
      count += 1;
    }
    expect(pages).toEqual(whole.items);
  });

  it('finding 5: hostile page parameters answer 400 {error, field, message}, never a 500', async () => {
    const range = 'from=2026-01-01&to=2026-01-31';
    const cases: Array<[string, string]> = [
      [`${range}&limit=0`, 'limit'],
      [`${range}&limit=1001`, 'limit'],
      [`${range}&limit=Infinity`, 'limit'],
      [`${range}&limit=1e309`, 'limit'],
      [`${range}&limit=abc`, 'limit'],
      [`${range}&cursor=nimportequoi`, 'cursor'],
      [`${range}&cursor=1.bus.2026-01-01x`, 'cursor'],
      [`${range}&cursor=${'9'.repeat(121)}`, 'cursor'],
      [`${range}&cursor=%3Cscript%3E`, 'cursor'],
      ['from=2026-01-01&to=2026-02-30', 'to'],
      ['from=2026-12-31&to=2026-01-01', 'to'],
    ];
    for (const [q, field] of cases) {
      const res = await t.app.inject({ url: `${OCC}?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toMatchObject({ error: 'invalid', field, message: expect.any(String) });
      expect(res.body).not.toContain('<script>');
    }
  });
});
