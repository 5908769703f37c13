import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../composition.js';
import { insertOutbox } from '../../db/repositories/accounts.repository.js';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Files sent with the mail over SMTP (an appointment's `.ics`); the outbox keeps only the text. */
  readonly attachments?: readonly { filename: string; content: string; contentType: string }[];
}

/** What sending needs: a whole context, or the parts a service gets before the context exists. */
export type MailDeps = Pick<AppContext, 'clock' | 'config' | 'db' | 'logger'>;

const transports = new Map<string, Transporter>();
function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/**
 * One-time links (`?jeton=…`) are secrets for the recipient only (finding 3): a stored copy of a mail
 * (the outbox) keeps the text with every token replaced, so neither the outbox page nor a database
 * dump hands out a usable link. See docs/adr/0002-accounts.md.
 */
export const redactTokens = (text: string): string =>
  text.replace(/([?&]jeton=)[^\s&#]+/g, '$1[retiré : lien personnel envoyé au seul destinataire]');

/**
 * Sends a mail over SMTP when MAILLAGE_SMTP_URL is set. Otherwise, or when the SMTP server fails,
 * the mail goes to the outbox table, which the administrators read at /espace/courriels.
 */
export async function sendMail(ctx: MailDeps, mail: Mail): Promise<'smtp' | 'outbox'> {
  const at = ctx.clock.now();
  if (ctx.config.smtpUrl) {
    try {
      await transportFor(ctx.config.smtpUrl).sendMail({
        from: ctx.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        attachments: mail.attachments?.map((a) => ({ ...a })),
      });
      return 'smtp';
    } catch (error) {
      ctx.logger.error(
        { err: error, to: mail.to },
        'envoi SMTP en échec : courriel placé dans la boîte d’envoi',
      );
      await insertOutbox(ctx.db, {
        recipient: mail.to,
        subject: mail.subject,
        body: redactTokens(mail.text),
        at,
        error: 'Échec SMTP',
      });
      return 'outbox';
    }
  }
  await insertOutbox(ctx.db, {
    recipient: mail.to,
    subject: mail.subject,
    body: redactTokens(mail.text),
    at,
    error: null,
  });
  return 'outbox';
}

// Work done after the answer is sent (finding 9): a reset request answers as fast for a known account
// (token + mail) as for an unknown one (nothing). Tracked so shutdown and tests can wait for it.
const inFlight = new Set<Promise<void>>();

export function deliverLater(ctx: AppContext, work: () => Promise<unknown>): void {
  const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(work)
    .then(
      () => undefined,
      (error: unknown) => ctx.logger.error({ err: error }, 'envoi différé d’un courriel en échec'),
    )
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
}

/** Resolves once every deferred delivery has finished (server shutdown, tests). */
export async function settleDeliveries(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}
