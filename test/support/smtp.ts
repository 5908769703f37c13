import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A local SMTP server that keeps what it receives (no test reaches the internet). */
export interface LocalSmtp {
  readonly url: string;
  readonly mails: { to: string[]; raw: string }[];
  /** The first link under `path` in the last mail to `to`, soft line breaks undone. */
  linkTo(to: string, path: string): string | null;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<LocalSmtp> {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    linkTo(to, path) {
      const mail = [...mails].reverse().find((m) => m.to.includes(to));
      if (!mail) return null;
      const text = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const m = new RegExp(`https?://[^\\s]*${path.replace(/[/?]/g, '\\$&')}[^\\s]*`).exec(text);
      return m ? m[0] : null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
