import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRdvReminders } from '../../../src/cli/commands/rdv.js';
import { type AppContext, closeContext, openContext } from '../../../src/composition.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { packageGeography, testConfig } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { bookingFixture } from '../../support/rendezvous.js';

/**
 * Reminders 48 h before (issue 15): email, and SMS through the HTTP adapter, played here by a local
 * server; sent once (recorded), with an injected clock. Without a provider, email only.
 */
let app: App;
let ctx: AppContext;
let noSms: AppContext;
let sms: Server;
const received: Array<{ auth: string | undefined; body: { to: string; text: string; reference: string } }> =
  [];
let failNext = false;
let now = new Date('2026-11-24T09:30:00Z');
let f: Awaited<ReturnType<typeof bookingFixture>>;

beforeAll(async () => {
  sms = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      if (failNext) {
        failNext = false;
        res.writeHead(500).end('panne');
        return;
      }
      received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"ok"}');
    });
  });
  await new Promise<void>((r) => sms.listen(0, '127.0.0.1', r));
  const { port } = sms.address() as AddressInfo;
  const database = await freshDatabase();
  const clock = { now: () => new Date(now) };
  ctx = await openContext(
    testConfig({ smsUrl: `http://127.0.0.1:${port}/sms`, smsToken: 'jeton-sms-de-test' }),
    { database, geography: packageGeography(), clock },
  );
  noSms = await openContext(testConfig(), { database, geography: packageGeography(), clock });
  app = await buildApp(ctx);
  await app.ready();
  f = await bookingFixture(ctx);
});
afterAll(async () => {
  await app.close();
  await closeContext(ctx);
  await new Promise<void>((r) => sms.close(() => r()));
});

const book = async (start: string, who: { email?: string; phone?: string }, ip: string) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/rendez-vous',
    remoteAddress: ip,
    payload: { structure: f.structure.id, motif: f.motif.id, start, name: 'Léa Petit', ...who },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
};
const reminderMails = async () =>
  (await ctx.db.selectFrom('outbox').select(['recipient', 'subject']).execute()).filter((m) =>
    m.subject.startsWith('Rappel'),
  );

describe('reminders', () => {
  it('go out 48 h before, by email and SMS, once each', async () => {
    const friday = await book(
      '2026-11-27T09:00:00+01:00',
      { email: 'lea@example.fr', phone: '06 12 34 56 78' },
      '198.51.100.1',
    );
    await book('2026-11-25T09:00:00+01:00', { email: 'tot@example.fr' }, '198.51.100.2'); // booked < 48 h ahead
    expect(await runRdvReminders(ctx)).toEqual({ email: 0, sms: 0, failed: 0 }); // Friday is 70 h away
    now = new Date('2026-11-25T09:00:00Z'); // 47 h before Friday 09:00 local
    expect(await runRdvReminders(ctx)).toEqual({ email: 1, sms: 1, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]?.auth).toBe('Bearer jeton-sms-de-test');
    expect(received[0]?.body).toMatchObject({ to: '+33612345678', reference: friday });
    expect(received[0]?.body.text).toMatch(/^Rappel : rendez-vous vendredi 27 novembre 2026 à 09:00/);
    expect((await reminderMails()).map((m) => m.recipient)).toEqual(['lea@example.fr']);
    // Twice, or on a second instance: nothing more.
    expect(await runRdvReminders(ctx)).toEqual({ email: 0, sms: 0, failed: 0 });
    expect(await runRdvReminders(noSms)).toEqual({ email: 0, sms: 0, failed: 0 });
    expect(received).toHaveLength(1);
    const rows = await ctx.db
      .selectFrom('rendezvous_rappels')
      .select(['canal', 'resultat'])
      .orderBy('canal')
      .execute();
    expect(rows).toEqual([
      { canal: 'courriel', resultat: 'outbox' },
      { canal: 'sms', resultat: 'envoye' },
    ]);
  });

  it('a provider failure is recorded, not retried; without a provider, email only', async () => {
    now = new Date('2026-11-24T09:30:00Z');
    await book('2026-11-30T10:00:00+01:00', { phone: '06 98 76 54 32' }, '198.51.100.3');
    await book(
      '2026-11-30T11:00:00+01:00',
      { email: 'sans-sms@example.fr', phone: '06 11 11 11 11' },
      '198.51.100.4',
    );
    now = new Date('2026-11-28T12:00:00Z');
    failNext = true;
    const first = await runRdvReminders(ctx);
    expect(first.failed).toBe(1);
    expect(await runRdvReminders(ctx)).toEqual({ email: 0, sms: 0, failed: 0 });
    const results = await ctx.db
      .selectFrom('rendezvous_rappels')
      .select('resultat')
      .where('resultat', '=', 'echec')
      .execute();
    expect(results).toHaveLength(1);
    // A context without a provider: the email of the third booking went out above with ctx; check noSms alone.
    now = new Date('2026-11-24T09:30:00Z');
    await book(
      '2026-12-01T09:00:00+01:00',
      { email: 'mail-seul@example.fr', phone: '06 22 22 22 22' },
      '198.51.100.5',
    );
    now = new Date('2026-11-29T12:00:00Z');
    const before = received.length;
    expect(await runRdvReminders(noSms)).toEqual({ email: 1, sms: 0, failed: 0 });
    expect(received.length).toBe(before);
  });
});
