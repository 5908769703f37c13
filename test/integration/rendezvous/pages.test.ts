import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { bookingFixture } from '../../support/rendezvous.js';
import { type LocalSmtp, startSmtp } from '../../support/smtp.js';

/** The public booking pages without JavaScript: book, confirmation mail with .ics, cancel, move. */
let t: TestApp;
let smtp: LocalSmtp;
let f: Awaited<ReturnType<typeof bookingFixture>>;
let person: Client;

const count = async () =>
  Number(
    (
      await t.ctx.db
        .selectFrom('rendezvous')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const tokenOf = (location: string | undefined) => /jeton=([^&]+)/.exec(location ?? '')?.[1] ?? '';

beforeAll(async () => {
  smtp = await startSmtp();
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z', config: { smtpUrl: smtp.url } });
  f = await bookingFixture(t.ctx);
  person = new Client(t.app, '198.51.100.77');
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('booking from the structure page', () => {
  let base: string;
  it('the structure page offers online booking; the motif page lists the motif', async () => {
    const page = await person.get(`/structures/${f.structure.id}`);
    expect(page.body).toContain(`href="/structures/${f.structure.id}/rendez-vous"`);
    const motifs = await person.get(`/structures/${f.structure.id}/rendez-vous`);
    expect(motifs.status).toBe(200);
    expect(motifs.body).toContain('Aide pour une démarche en ligne');
    expect(motifs.body).toContain('30 minutes · Sur place');
    base = `/structures/${f.structure.id}/rendez-vous/${f.motif.id}`;
  });

  it('shows this week’s slots as radio buttons per day, with the next weeks', async () => {
    const week = await person.get(base);
    expect(week.status).toBe(200);
    expect(week.body).toContain('Mercredi 25 novembre 2026');
    expect(week.body).toContain('value="2026-11-25T09:00:00+01:00"');
    expect(week.body).not.toContain('value="2026-11-24T10:30:00+01:00"'); // inside the notice
    expect(week.body).toContain('semaine=2026-11-30');
    const past = await person.get(`${base}?semaine=2020-01-06`);
    expect(past.body).toContain('Semaine du lundi 23 novembre 2026'); // clamped to this week
    const junk = await person.get(`${base}?semaine=%3Cscript%3E`);
    expect(junk.status).toBe(200);
    const christmas = await person.get(`${base}?semaine=2026-12-21`);
    expect(christmas.body).not.toContain('value="2026-12-25');
  });

  it('refuses bad contact details on the page, linked to the field, and saves nothing', async () => {
    const form = await person.get(`${base}/reserver?debut=2026-11-25T09:00:00%2B01:00`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('mercredi 25 novembre 2026 à 09:00');
    const bad = await person.post(`${base}/reserver`, {
      debut: '2026-11-25T09:00:00+01:00',
      name: 'Marie <b>Dupont</b>',
      email: 'pas-une-adresse',
      phone: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('aria-describedby="email-error"');
    expect(bad.body).toMatch(/id="email-error" class="fr-error-text">Adresse électronique invalide/);
    expect(bad.body).toContain('value="Marie &lt;b&gt;Dupont&lt;/b&gt;"');
    const huge = await person.post(`${base}/reserver`, {
      debut: '2026-11-25T09:00:00+01:00',
      name: 'x'.repeat(10_240),
      email: 'a@b.fr',
    });
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('name-error');
    const noCsrf = await person.post(`${base}/reserver`, {
      _csrf: null,
      debut: '2026-11-25T09:00:00+01:00',
      name: 'Marie',
      email: 'a@b.fr',
    });
    expect(noCsrf.status).toBe(403);
    expect(await count()).toBe(0);
  });

  let token = '';
  it('books: confirmation page, and a mail with the .ics and the personal link', async () => {
    await person.get(`${base}/reserver?debut=2026-11-25T09:00:00%2B01:00`);
    const ok = await person.post(`${base}/reserver`, {
      debut: '2026-11-25T09:00:00+01:00',
      name: 'Marie Dupont',
      email: 'marie@example.fr',
      phone: '06 12 34 56 78',
    });
    expect(ok.status).toBe(303);
    token = tokenOf(ok.location);
    const page = await person.get(ok.location as string);
    expect(page.body).toContain('Votre rendez-vous est confirmé');
    expect(page.body).toContain('mercredi 25 novembre 2026 à 09:00');
    const mail = smtp.mails.find((m) => m.to.includes('marie@example.fr'));
    expect(mail?.raw).toContain('rendez-vous.ics');
    expect(smtp.linkTo('marie@example.fr', '/rendez-vous/gerer')).toContain(`jeton=${token}`);
    const b64 =
      /Content-Type: text\/calendar[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n(--|\r\n)/.exec(
        mail?.raw ?? '',
      )?.[1] ?? '';
    const ics = Buffer.from(b64.replace(/\s/g, ''), 'base64').toString('utf8');
    const events = Object.values(ical.sync.parseICS(ics)).filter((e) => e?.type === 'VEVENT');
    expect(events).toHaveLength(1);
    expect((events[0] as { start: Date }).start.toISOString()).toBe('2026-11-25T08:00:00.000Z');
    // The same slot again, from the page: 409 with the message and a way back to the slots.
    await person.get(`${base}/reserver?debut=2026-11-25T09:00:00%2B01:00`);
    const again = await person.post(`${base}/reserver`, {
      debut: '2026-11-25T09:00:00+01:00',
      name: 'Paul',
      email: 'paul@example.fr',
    });
    expect(again.status).toBe(409);
    expect(again.body).toContain('vient d’être réservé');
    expect(again.body).toContain('Choisir un autre créneau');
  });

  it('moves through the link: a new link, the old one no longer works', async () => {
    const page = await person.get(`/rendez-vous/deplacer?jeton=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="2026-11-25T09:30:00+01:00"');
    const moved = await person.post('/rendez-vous/deplacer', {
      jeton: token,
      version: '1',
      debut: '2026-11-26T10:00:00+01:00',
    });
    expect(moved.status).toBe(303);
    const fresh = tokenOf(moved.location);
    expect(fresh).not.toBe(token);
    const old = await person.get(`/rendez-vous/gerer?jeton=${token}`);
    expect(old.status).toBe(404);
    expect(old.body).toContain('n’est pas (ou plus) valable');
    token = fresh;
    expect((await person.get(`/rendez-vous/gerer?jeton=${token}`)).body).toContain(
      'jeudi 26 novembre 2026 à 10:00',
    );
    expect(smtp.linkTo('marie@example.fr', '/rendez-vous/gerer')).toContain(`jeton=${fresh}`);
  });

  it('cancels through the link; a replay or an altered link changes nothing, with a clear message', async () => {
    const page = await person.get(`/rendez-vous/gerer?jeton=${token}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const cancelled = await person.post('/rendez-vous/annuler', { jeton: token, version });
    expect(cancelled.status).toBe(303);
    expect((await person.get(cancelled.location as string)).body).toContain('Votre rendez-vous est annulé.');
    const replay = await person.post('/rendez-vous/annuler', { jeton: token, version });
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('déjà annulé');
    const altered = await person.post('/rendez-vous/annuler', { jeton: `${token.slice(0, -2)}xx`, version });
    expect(altered.status).toBe(404);
    expect(altered.body).toContain('n’est pas (ou plus) valable');
    // The slot is free again.
    const week = await person.get(`/structures/${f.structure.id}/rendez-vous/${f.motif.id}`);
    expect(week.body).toContain('value="2026-11-26T10:00:00+01:00"');
    const rows = await t.ctx.db.selectFrom('rendezvous').select(['statut']).execute();
    expect(rows.map((r) => r.statut)).toEqual(['annule']);
  });
});

describe('privacy', () => {
  it('erases contact details 30 days after the appointment (injected clock)', async () => {
    const { openContext } = await import('../../../src/composition.js');
    const { fixedClock } = await import('../../../src/domain/shared/time.js');
    const later = await openContext(t.ctx.config, {
      database: t.ctx.database,
      geography: t.ctx.geography,
      clock: fixedClock('2026-12-26T09:00:00Z'), // the appointment ended 26 November 09:30Z: not yet 30 days
    });
    expect(await later.rendezvous.eraseOldContacts()).toBe(0);
    const after = await openContext(t.ctx.config, {
      database: t.ctx.database,
      geography: t.ctx.geography,
      clock: fixedClock('2026-12-26T10:00:00Z'),
    });
    expect(await after.rendezvous.eraseOldContacts()).toBe(1);
    const row = await t.ctx.db.selectFrom('rendezvous').selectAll().executeTakeFirstOrThrow();
    expect([row.nom, row.courriel, row.telephone, row.jeton_hash]).toEqual([null, null, null, null]);
    expect(row.contact_efface_at).not.toBeNull();
  });
});
