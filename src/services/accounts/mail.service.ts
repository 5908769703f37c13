import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../composition.js';
import { insertOutbox } from '../../db/repositories/accounts.repository.js';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

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
 * Sends a mail over SMTP when MAILLAGE_SMTP_URL is set. Otherwise, or when the SMTP server fails,
 * the mail goes to the outbox table, which the administrators read at /espace/courriels.
 */
export async function sendMail(ctx: AppContext, mail: Mail): Promise<'smtp' | 'outbox'> {
  const at = ctx.clock.now();
  if (ctx.config.smtpUrl) {
    try {
      await transportFor(ctx.config.smtpUrl).sendMail({
        from: ctx.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
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
        body: mail.text,
        at,
        error: 'Échec SMTP',
      });
      return 'outbox';
    }
  }
  await insertOutbox(ctx.db, { recipient: mail.to, subject: mail.subject, body: mail.text, at, error: null });
  return 'outbox';
}
