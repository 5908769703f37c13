import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/composition.js';
import { closeContext } from '../../../src/composition.js';
import { setPartnerDigest } from '../../../src/db/repositories/accounts.repository.js';
import type { Principal } from '../../../src/domain/accounts/roles.js';
import { CONSENT_VERSION } from '../../../src/domain/escalade/index.js';
import type { Clock } from '../../../src/domain/shared/time.js';
import { purgeClosedCases, runReminders } from '../../../src/services/escalade/jobs.js';
import { createUser, insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';
import { type LocalSmtp, startSmtp } from '../../support/smtp.js';
import { createReferent, PDF } from './support.js';

/**
 * Reminders (step 6) against the local SMTP server, and retention (step 8), with a clock the test moves.
 * Cases are filed on Tuesday 24 November 2026 at 10:30 in the Aisne: reminder due Thursday 26 at 10:30,
 * first answer due Friday 27 at 10:30 (Paris time).
 */
let ctx: AppContext;
let smtp: LocalSmtp;
let now = new Date('2026-11-24T09:30:00Z');
const clock: Clock = { now: () => new Date(now) };
const ids: Record<string, string> = {};
let agent: Principal;
let referent: Principal;
const emails = {
  caf02: 'caf02@example.fr',
  digest: 'caf02.digest@example.fr',
  coord: 'caf.coord@example.fr',
};

const actor = (principal: Principal) => ({ principal, label: 'Test', ip: null });
const file = (nom: string, partenaire = 'caf') => ({
  partenaire,
  nom,
  prenom: 'Paul',
  dateNaissance: '1970-01-01',
  numeroPartenaire: null,
  objet: `Objet de ${nom}`,
  message: `Message sur ${nom}`,
  consentement: 'oui',
  consentVersion: CONSENT_VERSION,
});
const mailsTo = (to: string) => smtp.mails.filter((m) => m.to.includes(to));

beforeAll(async () => {
  smtp = await startSmtp();
  ctx = await buildTestContext({
    clock,
    config: { smtpUrl: smtp.url, dataDir: await mkdtemp(join(tmpdir(), 'maillage-escalade-jobs-')) },
  });
  const s = await insertStructure(ctx, { departement: '02' });
  const a = await createUser(ctx, { role: 'agent', structureIds: [s.id], password: null });
  agent = { id: a.id, role: 'agent', structureIds: [s.id], departement: null };
  const r = await createReferent(
    ctx,
    { partenaire: 'caf', departements: ['02'], coordinateur: false },
    emails.caf02,
  );
  referent = {
    id: r.id,
    role: 'referent_partenaire',
    structureIds: [],
    departement: null,
    partner: { partenaire: 'caf', departements: ['02'], coordinateur: false },
  };
  const d = await createReferent(
    ctx,
    { partenaire: 'caf', departements: ['02'], coordinateur: false },
    emails.digest,
  );
  await setPartnerDigest(ctx.db, d.id, true);
  await createReferent(ctx, { partenaire: 'caf', departements: [], coordinateur: true }, emails.coord);
  for (const nom of ['Silence', 'Repondu'])
    ids[nom] = (await ctx.escalade.create(actor(agent), { ...file(nom), structureId: s.id })).id;
  ids.Msa = (await ctx.escalade.create(actor(agent), { ...file('Msa', 'msa'), structureId: s.id })).id;
});
afterAll(async () => {
  await smtp?.close();
  if (ctx) await closeContext(ctx);
});

describe('reminders', () => {
  it('nothing before 48 business hours', async () => {
    now = new Date('2026-11-26T09:00:00Z');
    expect(await runReminders(ctx)).toMatchObject({ reminders: 0, lateReports: 0 });
    expect(mailsTo(emails.caf02)).toHaveLength(0);
  });

  it('after 48 hours the référent gets one mail per unanswered case: a link, no personal data', async () => {
    now = new Date('2026-11-26T08:00:00Z');
    await ctx.escalade.addMessage(actor(referent), ids.Repondu as string, 'Pris en charge.');
    now = new Date('2026-11-26T09:31:00Z');
    const r = await runReminders(ctx);
    expect(r.reminders).toBe(2); // Silence (CAF) and Msa (no MSA référent, no coordinator: claimed, nobody to mail)
    const mails = mailsTo(emails.caf02);
    expect(mails).toHaveLength(1);
    const text = (mails[0]?.raw ?? '').replace(/=\r?\n/g, '');
    expect(text).toContain(`/espace/escalade/${ids.Silence}`);
    for (const personal of ['Silence', 'Paul', '1970', 'Objet de', 'Message sur'])
      expect(text).not.toContain(personal);
    // The référent who chose the daily digest gets no single mail.
    expect(mailsTo(emails.digest).filter((m) => m.raw.includes('48 heures'))).toHaveLength(0);
  });

  it('is idempotent: a second run sends nothing more', async () => {
    const before = smtp.mails.length;
    expect(await runReminders(ctx)).toMatchObject({ reminders: 0, lateReports: 0 });
    expect(smtp.mails.length).toBe(before);
  });

  it('the digest goes once per local day, from 07:00, to those who chose it', async () => {
    const digests = () => mailsTo(emails.digest).filter((m) => m.raw.includes('capitulatif'));
    expect(digests()).toHaveLength(1); // sent by the 10:31 run above
    now = new Date('2026-11-26T15:00:00Z');
    await runReminders(ctx);
    expect(digests()).toHaveLength(1);
    now = new Date('2026-11-27T05:30:00Z'); // 06:30 in Paris: not yet
    await runReminders(ctx);
    expect(digests()).toHaveLength(1);
  });

  it('past 72 hours the coordinator is told once; an answered case raises nothing', async () => {
    now = new Date('2026-11-27T09:31:00Z');
    const r = await runReminders(ctx);
    expect(r.lateReports).toBe(2);
    const late = mailsTo(emails.coord);
    expect(late).toHaveLength(1);
    const text = (late[0]?.raw ?? '').replace(/=\r?\n/g, '');
    expect(text).toContain(`/espace/escalade/${ids.Silence}`);
    expect(text).not.toContain(`/espace/escalade/${ids.Repondu}`);
    expect(text).not.toContain('Silence');
    expect((await runReminders(ctx)).lateReports).toBe(0);
    expect(mailsTo(emails.coord)).toHaveLength(1);
  });
});

describe('retention: six months after closing', () => {
  it('erases identity, messages, notes and attachments (files too), and nothing else', async () => {
    now = new Date('2026-11-30T10:00:00Z');
    await ctx.escalade.upload(actor(agent), ids.Repondu as string, PDF, 'piece.pdf');
    await ctx.escalade.addNote(actor(referent), ids.Repondu as string, 'Note interne');
    const piece = await ctx.db
      .selectFrom('dossier_attachments')
      .select('id')
      .where('dossier_id', '=', ids.Repondu as string)
      .executeTakeFirstOrThrow();
    expect(await ctx.escalade.files.exists(piece.id)).toBe(true);
    const v = (await ctx.escalade.view(referent, ids.Repondu as string)).dossier.version;
    await ctx.escalade.changeStatus(actor(referent), ids.Repondu as string, 'clos', v);
    const before = await ctx.db
      .selectFrom('dossiers')
      .selectAll()
      .where('id', '=', ids.Repondu as string)
      .executeTakeFirstOrThrow();
    expect(before.close_bh).toBeGreaterThan(0);

    // Five months and 30 days later: too early.
    now = new Date('2027-05-29T10:00:00Z');
    expect((await purgeClosedCases(ctx)).erased).toBe(0);

    now = new Date('2027-05-30T10:01:00Z');
    expect(await purgeClosedCases(ctx)).toMatchObject({ erased: 1, files: 1 });
    const after = await ctx.db
      .selectFrom('dossiers')
      .selectAll()
      .where('id', '=', ids.Repondu as string)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      nom: null,
      prenom: null,
      date_naissance: null,
      numero_partenaire: null,
      objet: null,
    });
    // What the figures need survives.
    expect(after).toMatchObject({
      partenaire: 'caf',
      departement: '02',
      statut: 'clos',
      first_answer_bh: before.first_answer_bh,
      close_bh: before.close_bh,
    });
    expect(after.filed_at).toEqual(before.filed_at);
    for (const table of ['dossier_messages', 'dossier_notes', 'dossier_attachments'] as const)
      expect(
        await ctx.db
          .selectFrom(table)
          .select('dossier_id')
          .where('dossier_id', '=', ids.Repondu as string)
          .execute(),
      ).toEqual([]);
    expect(await ctx.escalade.files.exists(piece.id)).toBe(false);

    // Open cases keep everything.
    const open = await ctx.db
      .selectFrom('dossiers')
      .select(['nom'])
      .where('id', '=', ids.Silence as string)
      .executeTakeFirstOrThrow();
    expect(open.nom).toBe('Silence');
    expect(
      await ctx.db
        .selectFrom('dossier_messages')
        .select('id')
        .where('dossier_id', '=', ids.Silence as string)
        .execute(),
    ).toHaveLength(1);
    // The erasure is in the audit log, without personal data; a second run erases nothing.
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('entity_id', '=', ids.Repondu as string)
      .where('action', '=', 'dossier.erase')
      .execute();
    expect(audit).toHaveLength(1);
    expect((await purgeClosedCases(ctx)).erased).toBe(0);
    // The figures still count the erased case.
    const figures = await ctx.escalade.figures(
      { id: 'n', role: 'national', structureIds: [], departement: null },
      { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), partenaire: 'caf' },
    );
    expect(figures).toEqual([
      expect.objectContaining({ partenaire: 'caf', departement: '02', cases: 2, answeredWithin72: 1 }),
    ]);
    // The erased case's page still answers, with the identity marked as erased.
    const page = await ctx.escalade.view(agent, ids.Repondu as string);
    expect(page.messages).toEqual([]);
  });
});
