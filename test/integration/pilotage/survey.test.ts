import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/domain/shared/time.js';
import { SurveyService } from '../../../src/services/pilotage/survey.service.js';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

/** The satisfaction survey (issue 14, step 6): one answer per link, 14 days, no score below 11. */
let t: TestApp;
let s02: { id: string; idFs: string; name: string };
let manager: Client;
let other: Client;
const NOW = '2026-11-24T09:30:00Z';

beforeAll(async () => {
  t = await buildTestApp({ now: NOW });
  s02 = await insertStructure(t.ctx, { departement: '02' });
  const s75 = await insertStructure(t.ctx, { departement: '75' });
  const m = await createUser(t.ctx, { role: 'responsable', structureIds: [s02.id] });
  const o = await createUser(t.ctx, { role: 'agent', structureIds: [s75.id] });
  manager = new Client(t.app, '192.0.2.40');
  other = new Client(t.app, '192.0.2.41');
  await manager.login(m.email);
  await other.login(o.email);
});
afterAll(async () => t.close());

const newLink = async (): Promise<string> => {
  await manager.get(`/espace/pilotage/enquete?structure=${s02.id}`);
  const r = await manager.post(`/espace/pilotage/enquete?structure=${s02.id}`, {});
  expect(r.status).toBe(201);
  const m = /\/avis\/([A-Za-z0-9_-]+)/.exec(r.body);
  expect(m).not.toBeNull();
  return m?.[1] as string;
};
const answer = async (token: string, fields: Record<string, string>) => {
  const visitor = new Client(t.app, '192.0.2.50');
  await visitor.get(`/avis/${token}`);
  return visitor.post(`/avis/${token}`, fields);
};

describe('satisfaction survey', () => {
  it('the manager hands a QR code (server-drawn SVG) and a short link; another structure is a 404', async () => {
    await manager.get(`/espace/pilotage/enquete?structure=${s02.id}`);
    const r = await manager.post(`/espace/pilotage/enquete?structure=${s02.id}`, {});
    expect(r.body).toMatch(/<figure[^>]+role="img" aria-label="QR code[^"]*"><svg/);
    expect(r.body).toContain('http://localhost');
    expect((await other.get(`/espace/pilotage/enquete?structure=${s02.id}`)).status).toBe(404);
    expect((await manager.post(`/espace/pilotage/enquete?structure=${s02.id}`, { _csrf: null })).status).toBe(
      403,
    );
  });

  it('one anonymous answer per link; bad answers get a French message linked to the question', async () => {
    const token = await newLink();
    const form = await new Client(t.app, '192.0.2.51').get(`/avis/${token}`);
    expect(form.status).toBe(200);
    expect(form.body.match(/<fieldset/g)).toHaveLength(3);
    const missing = await answer(token, { demarche: 'oui' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(/id="q-accueil-erreur"[^>]*>Répondez à la question/);
    expect(missing.body).toMatch(/aria-describedby="q-accueil-erreur"/);
    const hostile = await answer(token, { demarche: '<script>x</script>', accueil: '99', recommande: 'oui' });
    expect(hostile.status).toBe(400);
    expect(hostile.body).not.toContain('<script>x</script>');
    expect((await answer(token, { demarche: 'oui', accueil: 'Infinity', recommande: 'oui' })).status).toBe(
      400,
    );
    expect(
      (await answer(token, { demarche: 'oui', accueil: 'x'.repeat(5000), recommande: 'oui' })).status,
    ).toBe(400);
    const visitor = new Client(t.app, '192.0.2.54');
    await visitor.get(`/avis/${token}`);
    const ok = await visitor.post(`/avis/${token}`, {
      demarche: 'en_partie',
      accueil: '5',
      recommande: 'oui',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Merci');
    // The same form sent again (a double submit): the link is spent.
    expect(
      (await visitor.post(`/avis/${token}`, { demarche: 'non', accueil: '1', recommande: 'non' })).status,
    ).toBe(409);
    expect((await new Client(t.app, '192.0.2.52').get(`/avis/${token}`)).status).toBe(409);
    const stored = await sql<{ n: number }>`select count(*)::int as n from pilotage_reponses`.execute(
      t.ctx.db,
    );
    expect(stored.rows[0]?.n).toBe(1);
  });

  it('two simultaneous answers on one link: exactly one is kept (database constraint)', async () => {
    const token = await newLink();
    const fields = { demarche: 'oui', accueil: '4', recommande: 'oui' };
    // Three people open the form first, then send at once: only the database can keep one answer. (Opening
    // after another's answer gives the "already answered" page, with no form to send.)
    const visitors = [0, 1, 2].map(() => new Client(t.app, '192.0.2.50'));
    for (const v of visitors) expect((await v.get(`/avis/${token}`)).status).toBe(200);
    const statuses = await Promise.all(visitors.map((v) => v.post(`/avis/${token}`, fields)));
    expect(statuses.map((s) => s.status).sort()).toEqual([200, 409, 409]);
  });

  it('a link expires after 14 days (injected clock); unknown links are 404', async () => {
    const token = await newLink();
    const later = (iso: string) => new SurveyService(t.ctx.db, fixedClock(iso), t.ctx.config.publicUrl);
    expect(await later('2026-12-08T09:29:00Z').open(token)).toMatchObject({ state: 'open' });
    expect(await later('2026-12-08T09:30:00Z').open(token)).toEqual({ state: 'expired' });
    await expect(
      later('2026-12-09T00:00:00Z').answer(token, { demarche: 'oui', accueil: '5', recommande: 'oui' }),
    ).rejects.toMatchObject({
      field: 'jeton',
    });
    for (const bad of ['nope', 'A'.repeat(30), '%3Cscript%3E'])
      expect((await new Client(t.app, '192.0.2.53').get(`/avis/${bad}`)).status).toBe(404);
    expect((await new Client(t.app, '192.0.2.53').get(`/avis/${'A'.repeat(200)}`)).status).toBe(400);
  });

  it('results: the count always, no score below 11 answers', async () => {
    const page = async () =>
      (await manager.get(`/espace/pilotage?territoire=structure:${s02.idFs}&du=2026-11-01&au=2026-11-30`))
        .body;
    expect(await page()).toMatch(/<th scope="row">Territoire<\/th><td>2<\/td><td>moins de 11 réponses/);
    for (let i = 0; i < 9; i++) {
      const token = await newLink();
      expect(
        (await answer(token, { demarche: 'oui', accueil: i < 6 ? '5' : '2', recommande: 'oui' })).status,
      ).toBe(200);
    }
    const body = await page();
    // 11 answers: 2 + 6 satisfied of 11 = 72.7 %.
    expect(body).toMatch(/<th scope="row">Territoire<\/th><td>11<\/td><td>72,7 %<\/td>/);
    expect(body).toContain('Remettre une enquête de satisfaction');
  });
});
