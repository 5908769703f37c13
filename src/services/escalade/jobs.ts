import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import * as repo from '../../db/repositories/escalade.repository.js';
import { erasureCutoff, partnerLabel, RETENTION_MONTHS } from '../../domain/escalade/index.js';
import {
  localDate,
  METROPOLITAN_ZONE,
  timeZoneOf,
  toLocalIso,
  wallClock,
} from '../../domain/shared/time-zone.js';
import { sendMail } from '../accounts/mail.service.js';

/**
 * The escalade's scheduled work (issue 13), run by `maillage cases remind|purge` and by the server every
 * 15 minutes (src/http/server.ts). Each reminder is claimed in the database before it is sent, so it goes
 * out once, even with two runs at the same time. Mails carry no personal data: only a link.
 */
const BATCH = 500;
/** Digests go out once a day, from this local hour on. */
export const DIGEST_HOUR = 7;

export interface ReminderReport {
  readonly reminders: number;
  readonly lateReports: number;
  readonly digests: number;
  readonly mails: number;
}

const link = (ctx: AppContext, id?: string) => `${ctx.config.publicUrl}/espace/escalade${id ? `/${id}` : ''}`;

export async function runReminders(ctx: AppContext): Promise<ReminderReport> {
  const now = ctx.clock.now();
  let reminders = 0;
  let lateReports = 0;
  let mails = 0;

  // 48 of the 72 business hours passed without an answer: the case's référents (coordinators if none).
  for (const d of await repo.casesToRemind(ctx.db, now, BATCH)) {
    const local = await accounts.listReferents(ctx.db, {
      partenaire: d.partenaire,
      departement: d.departement,
    });
    const people =
      local.length > 0
        ? local
        : await accounts.listReferents(ctx.db, { partenaire: d.partenaire, coordinators: true });
    const single = people.filter((p) => !p.digest);
    if (!(await repo.claimReminder(ctx.db, 'rappel_48h', d.id, now, single.length))) continue;
    reminders += 1;
    for (const p of single) {
      await sendMail(ctx, {
        to: p.email,
        subject: 'Dossier France Services en attente de réponse',
        text: `Bonjour,

Un dossier transmis par une France Services attend votre première réponse depuis 48 heures ouvrées.
Elle est attendue avant le ${toLocalIso(new Date(d.first_answer_due), timeZoneOf(d.departement))} (heure locale du département ${d.departement}).

Pour le consulter (connexion requise) :
${link(ctx, d.id)}

Ce courriel ne contient aucune information sur la personne : tout est dans l’espace sécurisé.`,
      });
      mails += 1;
    }
  }

  // Late (72 hours without an answer): the partner's national coordinators.
  for (const d of await repo.lateCasesToReport(ctx.db, now, BATCH)) {
    const coordinators = await accounts.listReferents(ctx.db, {
      partenaire: d.partenaire,
      coordinators: true,
    });
    if (!(await repo.claimReminder(ctx.db, 'retard', d.id, now, coordinators.length))) continue;
    lateReports += 1;
    for (const p of coordinators) {
      await sendMail(ctx, {
        to: p.email,
        subject: `Dossier en retard — ${partnerLabel(d.partenaire)}, département ${d.departement}`,
        text: `Bonjour,

Un dossier transmis par une France Services du département ${d.departement} n’a reçu aucune réponse dans les 72 heures ouvrées.

Pour le consulter (connexion requise) :
${link(ctx, d.id)}

Ce courriel ne contient aucune information sur la personne : tout est dans l’espace sécurisé.`,
      });
      mails += 1;
    }
  }

  // Daily digest for the référents who chose it: once per local day, from 07:00, if anything waits.
  let digests = 0;
  for (const p of await accounts.digestReferents(ctx.db)) {
    const zone =
      p.coordinateur || p.departements.length === 0 ? METROPOLITAN_ZONE : timeZoneOf(p.departements[0]);
    if (wallClock(now, zone).hour < DIGEST_HOUR) continue;
    const counts = await repo.attentionCounts(
      ctx.db,
      { partenaire: p.partenaire, departements: p.coordinateur ? null : p.departements },
      now,
    );
    if (counts.unanswered === 0) continue;
    if (!(await repo.claimDigest(ctx.db, p.id, localDate(now, zone), now))) continue;
    await sendMail(ctx, {
      to: p.email,
      subject: `Récapitulatif du jour : ${counts.unanswered} dossier(s) sans réponse`,
      text: `Bonjour,

${counts.unanswered} dossier(s) transmis par les France Services attendent votre première réponse, dont ${counts.late} en retard (plus de 72 heures ouvrées).

Pour les consulter (connexion requise) :
${link(ctx)}

Vous recevez ce récapitulatif une fois par jour à la place des rappels par dossier ; vous pouvez changer ce choix sur cette même page.`,
    });
    digests += 1;
    mails += 1;
  }
  if (reminders + lateReports + digests > 0)
    ctx.logger.info({ reminders, lateReports, digests, mails }, 'escalade : rappels envoyés');
  return { reminders, lateReports, digests, mails };
}

/**
 * Retention: six months after closing, a case's identity, messages, notes and attachments (rows and files)
 * are erased. Codes, instants and business-hour durations stay: the figures survive.
 */
export async function purgeClosedCases(
  ctx: AppContext,
): Promise<{ erased: number; files: number; cutoff: Date }> {
  const now = ctx.clock.now();
  const cutoff = erasureCutoff(now);
  let erased = 0;
  let files = 0;
  for (;;) {
    const batch = await repo.casesToErase(ctx.db, cutoff, 200);
    if (batch.length === 0) break;
    for (const d of batch) {
      const ids = await ctx.db.transaction().execute(async (trx) => {
        const removed = await repo.eraseDossier(trx, d.id, now);
        await appendAudit(trx, {
          at: now,
          actorId: null,
          actorLabel: 'conservation (effacement automatique)',
          entity: 'dossier',
          entityId: d.id,
          action: 'dossier.erase',
          after: { retentionMonths: RETENTION_MONTHS, attachments: removed.length },
        });
        return removed;
      });
      // Files after the commit: a failed transaction leaves them in place with their rows.
      for (const id of ids) await ctx.escalade.files.remove(id);
      erased += 1;
      files += ids.length;
    }
    if (batch.length < 200) break;
  }
  if (erased > 0)
    ctx.logger.info({ erased, files }, 'escalade : données personnelles effacées (conservation échue)');
  return { erased, files, cutoff };
}

/** What the server runs on its interval (never two at once). Errors are logged, never thrown into the timer. */
let running = false;
export async function runEscaladeJobs(ctx: AppContext): Promise<void> {
  if (running) return;
  running = true;
  try {
    await runReminders(ctx);
    await purgeClosedCases(ctx);
  } catch (error) {
    ctx.logger.error({ err: error }, 'escalade : tâche périodique en échec');
  } finally {
    running = false;
  }
}
