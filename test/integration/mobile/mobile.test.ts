import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMobileLoad, runMobileOccurrences } from '../../../src/cli/commands/mobile.js';
import { CliError } from '../../../src/cli/context.js';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import { MobileService } from '../../../src/services/mobile/mobile.service.js';
import { buildTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../../support/app.js';
import { aStructure } from '../../support/structures.js';
import { documentFile, pdfText, sampleDocument } from './support.js';

// Tuesday 5 May 2026, 10:30 in Paris: the bus is at Guise (Tuesdays 09:00–12:00).
const NOW = '2026-05-05T08:30:00Z';
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('mobile: load, occurrences, pages, feeds, poster, API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    await insertStructures(t.ctx.db, [
      aStructure({ idFs: 'fs-0001', format: 'bus', name: 'France services mobile TSO' }),
    ]);
    const report = await runMobileLoad(t.ctx, documentFile(sampleDocument()));
    expect(report).toMatchObject({ units: 1, stops: 2, entries: 2, exceptions: 3, changedEntries: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints occurrences exactly as the CLI contract says', async () => {
    const rows = await runMobileOccurrences(t.ctx, { unit: 'bus-tso', from: '2026-01-01', to: '2026-12-31' });
    expect(Object.keys(rows[0] ?? {})).toEqual(['entry', 'stop', 'commune', 'start', 'end', 'status']);
    expect(rows).toContainEqual({
      entry: 'e1',
      stop: 'guise-marche',
      commune: '02361',
      start: '2026-03-31T09:00:00+02:00',
      end: '2026-03-31T12:00:00+02:00',
      status: 'scheduled',
    });
    expect(rows.find((r) => r.start.startsWith('2026-03-24'))?.start).toBe('2026-03-24T09:00:00+01:00');
    expect(rows.find((r) => r.start.startsWith('2026-05-12'))?.status).toBe('cancelled');
    expect(rows.find((r) => r.start.startsWith('2026-06-03'))).toMatchObject({
      status: 'moved',
      start: '2026-06-03T10:00:00+02:00',
    });
    expect(rows.some((r) => r.start.startsWith('2026-06-02') || r.start.startsWith('2026-07-14'))).toBe(
      false,
    );
    const starts = rows.map((r) => Date.parse(r.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    await expect(
      runMobileOccurrences(t.ctx, { unit: 'bus-x', from: '2026-01-01', to: '2026-12-31' }),
    ).rejects.toThrow(/inconnue/);
    await expect(
      runMobileOccurrences(t.ctx, { unit: 'bus-tso', from: '2026-13-01', to: '2026-12-31' }),
    ).rejects.toMatchObject({ field: 'from' });
  });

  it('refuses a bad document with its JSON path and writes nothing', async () => {
    const bad = sampleDocument();
    Object.assign(bad.entries[1] as object, { rrule: 'FREQ=DAILY' });
    Object.assign(bad.stops[0] as object, { name: 'Nouveau nom' });
    const err = await runMobileLoad(t.ctx, documentFile(bad)).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toContain('entries[1].rrule');
    const stop = await t.ctx.db
      .selectFrom('mobile_stops')
      .select('name')
      .where('id', '=', 'guise-marche')
      .executeTakeFirst();
    expect(stop?.name).toBe('Place du marché');
    const notJson = await runMobileLoad(t.ctx, documentFile('{"units": [')).catch((e) => e);
    expect(notJson.message).toContain('JSON');
  });

  it('asks for confirmation for a stop more than 200 km from its structure', async () => {
    const far = sampleDocument();
    far.units.push({
      id: 'bus-far',
      structure: 'fs-0001',
      name: 'Bus lointain',
      depot: { lat: 49.9, lon: 3.62 },
    });
    far.stops.push({
      id: 'toulouse',
      unit: 'bus-far',
      name: 'Capitole',
      kind: 'place',
      commune: '31555',
      address: 'Place du Capitole',
      lat: 43.6045,
      lon: 1.4442,
    });
    const err = await runMobileLoad(t.ctx, documentFile(far)).catch((e) => e);
    expect(err.message).toContain('stops[2]');
    expect(err.message).toContain('--confirm');
    expect(
      await t.ctx.db.selectFrom('mobile_units').select('id').where('id', '=', 'bus-far').executeTakeFirst(),
    ).toBeUndefined();
    const ok = await runMobileLoad(t.ctx, documentFile(far), { confirm: true });
    expect(ok.confirmations).toHaveLength(1);
    const wrongStructure = sampleDocument();
    Object.assign(wrongStructure.units[0] as object, { structure: 'fs-absente' });
    expect((await runMobileLoad(t.ctx, documentFile(wrongStructure)).catch((e) => e)).message).toContain(
      'units[0].structure',
    );
  });

  it('serves the pages in French, with the next passages and "open now"', async () => {
    const unit = await t.app.inject({ url: '/mobile/bus-tso' });
    expect(unit.statusCode).toBe(200);
    expect(unit.body).toContain('lang="fr"');
    expect(unit.body).toContain('Prochains passages');
    expect(unit.body).toContain('Ouvert maintenant');
    const stop = await t.app.inject({ url: '/mobile/stops/wassigny-mairie' });
    expect(stop.body).toContain('Prochains passages à Mairie de Wassigny (Wassigny)');
    expect(stop.body).toContain('vendredi 29 mai 2026');
    expect(stop.body).toContain('Fermé maintenant');
    const commune = await t.app.inject({ url: '/communes/02361/mobile' });
    expect(commune.statusCode).toBe(200);
    expect(commune.body).toContain(
      'Le bus France Services passe à Guise le mardi 5 mai 2026 de 9 h à 12 h (Place du marché).',
    );
    expect(commune.body).toContain('Panne du véhicule');
    expect(commune.headers['content-security-policy']).not.toContain('frame-ancestors *');
    expect((await t.app.inject({ url: '/communes/75056/mobile' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/communes/xyz/mobile' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/mobile/nope' })).statusCode).toBe(404);
  });

  it('lets the widget, and only it, be framed by any site', async () => {
    const w = await t.app.inject({ url: '/communes/02361/mobile/widget' });
    expect(w.statusCode).toBe(200);
    expect(w.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(w.headers['x-frame-options']).toBeUndefined();
    expect(w.body).toContain('maillage-embed');
  });

  it('serves three iCalendar feeds that node-ical reads', async () => {
    for (const url of [
      '/mobile/bus-tso.ics',
      '/mobile/stops/guise-marche.ics',
      '/communes/02361/mobile.ics',
    ]) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/calendar; charset=utf-8');
      const events = Object.values(ical.sync.parseICS(r.body)).filter((c) => c?.type === 'VEVENT');
      expect(events.length, url).toBeGreaterThan(0);
      expect(r.body).toContain('BEGIN:VTIMEZONE');
      expect(r.body).toContain('STATUS:CANCELLED');
    }
    const wassigny = await t.app.inject({ url: '/communes/02830/mobile.ics' });
    expect(wassigny.body).toContain('UID:mobile-e2@maillage');
    expect(wassigny.body).not.toContain('UID:mobile-e1@maillage');
  });

  it('prints an A4 poster with the next three months and a QR code', async () => {
    const r = await t.app.inject({ url: '/communes/02361/affiche.pdf' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(r.rawPayload);
    expect(text).toContain('Guise');
    expect(text).toContain('Mardi 5 mai 2026');
    expect(text).toContain('ANNULÉ');
    expect(text).toContain('Mardi 28 juillet 2026');
    expect(text).not.toContain('septembre 2026');
  });

  it('cancels a passage through the API: the page and the feed show it at once, and it is logged', async () => {
    const body = {
      date: '2026-05-19',
      action: 'cancel',
      reason: 'Formation de l’équipe, réunion; virgule, point',
    };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/mobile/entries/e1/exceptions', payload: body }))
        .statusCode,
    ).toBe(401);
    const before = await t.ctx.db
      .selectFrom('mobile_entries')
      .select('sequence')
      .where('id', '=', 'e1')
      .executeTakeFirstOrThrow();
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mobile/entries/e1/exceptions',
      payload: body,
      headers: auth,
    });
    expect(r.statusCode, r.body).toBe(201);
    const page = await t.app.inject({ url: '/communes/02361/mobile' });
    expect(page.body).toContain('Formation de l’équipe');
    const feed = await t.app.inject({ url: '/mobile/stops/guise-marche.ics' });
    const unfolded = feed.body.replace(/\r\n /g, '');
    expect(unfolded).toContain('RECURRENCE-ID;TZID=Europe/Paris:20260519T090000');
    expect(unfolded).toContain('réunion\\; virgule\\, point');
    expect(unfolded).toContain(`SEQUENCE:${before.sequence + 1}`);
    const log = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity', '=', 'mobile_entry')
      .where('entity_id', '=', 'e1')
      .execute();
    expect(log.map((l) => l.action)).toContain('mobile.exception.cancel');
    // Undo: the passage is back, the sequence goes up again.
    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/mobile/entries/e1/exceptions/2026-05-19',
      headers: auth,
    });
    expect(del.statusCode).toBe(204);
    const after = await t.ctx.db
      .selectFrom('mobile_entries')
      .select('sequence')
      .where('id', '=', 'e1')
      .executeTakeFirstOrThrow();
    expect(after.sequence).toBe(before.sequence + 2);
  });

  it('lets one of two simultaneous cancellations of the same passage through', async () => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/mobile/entries/e2/exceptions',
        payload: { date: '2026-06-26', action: 'cancel', reason: 'Congés' },
        headers: auth,
      });
    const codes = (await Promise.all([send(), send(), send()])).map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409]);
  });

  it('refuses a bad exception with the field at fault, in French', async () => {
    const post = (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/mobile/entries/e1/exceptions',
        payload: payload as object,
        headers: auth,
      });
    const notPassage = await post({ date: '2026-05-20', action: 'cancel' });
    expect(notPassage.statusCode).toBe(400);
    expect(notPassage.json()).toMatchObject({ error: 'invalid', field: 'date' });
    expect(notPassage.json().message).toContain('pas un passage');
    expect((await post({ date: '2026-05-26', action: 'move' })).json()).toMatchObject({ field: 'to' });
    const overlap = await post({
      date: '2026-05-26',
      action: 'move',
      to: { date: '2026-05-29', start: '15:00', end: '16:00' },
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().message).toContain('« e1 » et « e2 »');
    expect((await post({ date: 12, action: 'cancel' })).statusCode).toBe(400);
    expect((await post({ date: '2026-05-26', action: 'explode' })).statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/mobile/entries/nope/exceptions',
          payload: { date: '2026-05-26', action: 'cancel' },
          headers: auth,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('gives the locator each stop with its next passage, open only while the bus is there', async () => {
    const service = new MobileService(t.ctx.db, t.ctx.clock);
    const stops = await service.listStopsWithNextPassage();
    const guise = stops.find((s) => s.stop.id === 'guise-marche');
    expect(guise?.openNow).toBe(true);
    expect(guise?.next?.start.toISOString()).toBe('2026-05-05T07:00:00.000Z');
    const wassigny = stops.find((s) => s.stop.id === 'wassigny-mairie');
    expect(wassigny?.openNow).toBe(false);
    expect(wassigny?.next?.start.toISOString()).toBe('2026-05-29T12:00:00.000Z');
    const later = await service.listStopsWithNextPassage(new Date('2026-05-05T10:00:00Z'));
    expect(later.find((s) => s.stop.id === 'guise-marche')?.openNow).toBe(false);
  });
});

describe('mobile: hostile input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('escapes <script> in names everywhere: pages, feeds, poster', async () => {
    const doc = sampleDocument();
    Object.assign(doc.units[0] as object, { name: '<script>alert("bus")</script>' });
    Object.assign(doc.stops[0] as object, {
      name: '<script>alert(1)</script>, place; «&»',
      accessNotes: '<img src=x onerror=alert(2)>',
    });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/mobile/load', payload: doc, headers: auth });
    expect(r.statusCode, r.body).toBe(200);
    for (const url of [
      '/mobile/bus-tso',
      '/mobile/stops/guise-marche',
      '/communes/02361/mobile',
      '/communes/02361/mobile/widget',
    ]) {
      const page = await t.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toContain('<script>alert');
      expect(page.body, url).not.toContain('<img src=x');
      expect(page.body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const feed = (await t.app.inject({ url: '/mobile/bus-tso.ics' })).body.replace(/\r\n /g, '');
    expect(feed).toContain('<script>alert(1)</script>\\, place\\; «&»');
    for (const line of feed.split('\r\n')) expect(line).not.toMatch(/^<|^alert/);
    const pdf = await t.app.inject({ url: '/communes/02361/affiche.pdf' });
    expect(await pdfText(pdf.rawPayload)).toContain('<script>alert(1)</script>');
  });

  it('answers 400 with the JSON path for wrong types and huge values', async () => {
    const post = (doc: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/v1/mobile/load', payload: doc as object, headers: auth });
    const wrongType = sampleDocument();
    Object.assign(wrongType.entries[0] as object, { start: 900 });
    expect((await post(wrongType)).json()).toMatchObject({ error: 'invalid', field: 'entries[0].start' });
    const huge = sampleDocument();
    Object.assign(huge.stops[1] as object, { lat: 1e308 });
    expect((await post(huge)).json()).toMatchObject({ field: 'stops[1].lat' });
    const long = sampleDocument();
    Object.assign(long.entries[0] as object, { until: '9999-12-31' });
    expect((await post(long)).json()).toMatchObject({ field: 'entries[0].until' });
    expect((await post([1, 2])).statusCode).toBe(400);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/mobile/load', payload: sampleDocument() }))
        .statusCode,
    ).toBe(401);
    const big = await t.app.inject({ url: `/mobile/${'x'.repeat(500)}` });
    expect(big.statusCode).toBeGreaterThanOrEqual(400);
    expect(big.statusCode).toBeLessThan(500);
  });
});
