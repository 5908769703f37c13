import type { AppContext } from '../../../src/composition.js';
import { insertPartnerScope } from '../../../src/db/repositories/accounts.repository.js';
import type { PartnerScope } from '../../../src/domain/accounts/roles.js';
import type { App } from '../../../src/http/app.js';
import { SESSION_COOKIE } from '../../../src/http/plugins/session.js';
import { openSession } from '../../../src/services/accounts/auth.service.js';
import { type Answer, Client, createUser } from '../../support/accounts.js';

/** A partner's référent with their scope (issue 13). */
export async function createReferent(ctx: AppContext, scope: PartnerScope, email?: string) {
  const u = await createUser(ctx, {
    role: 'referent_partenaire',
    password: null,
    ...(email ? { email } : {}),
  });
  await insertPartnerScope(ctx.db, u.id, scope);
  return u;
}

/** A multipart upload, the CSRF token as the form's first field (as the page's hidden input sends it). */
export async function upload(
  app: App,
  client: Client,
  url: string,
  file: Buffer,
  filename: string,
  csrf: string | null = client.csrf,
): Promise<Answer> {
  const boundary = '----maillage-escalade-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      csrf === null ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload,
  });
  return {
    status: res.statusCode,
    body: res.body,
    headers: res.headers,
    location: res.headers.location as string | undefined,
  };
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

/**
 * A browser-like client already signed in: a session opened directly (sign-in itself is tested elsewhere;
 * an argon2 hash per user would cost seconds on a shared machine).
 */
export async function signedIn(
  ctx: AppContext,
  app: App,
  userId: string,
  ip = '192.0.2.30',
): Promise<Client> {
  const client = new Client(app, ip);
  client.cookies.set(SESSION_COOKIE, await openSession(ctx, userId, ip));
  return client;
}
