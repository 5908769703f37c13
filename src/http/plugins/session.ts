import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext } from '../../composition.js';
import { type Action, can, type Target } from '../../domain/accounts/policy.js';
import { notFound } from '../../domain/shared/errors.js';
import { resolveSession, type SessionUser } from '../../services/accounts/auth.service.js';
import { recordDenied } from '../../services/backoffice/structure-admin.service.js';
import { html, type SafeHtml } from '../../web/html.js';
import { messagePage } from '../../web/views/layout.js';

/**
 * Sessions and CSRF, for every capability (see docs/adr/0002-accounts.md):
 * - `request.user`: the signed-in user (`SessionUser`) or null, from the httpOnly session cookie;
 * - `requireUser` / `requirePolicy(ctx, action, resolveTarget)`: route preHandlers;
 * - `csrfField(request, reply)`: the hidden input every POST form carries; every non-API
 *   POST/PUT/PATCH/DELETE is refused without it (synchronizer token bound to the session,
 *   or to a pre-session cookie before sign-in).
 */
declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
  interface FastifyContextConfig {
    /** `multipart`: an upload route that checks the token field itself (`multipartCsrfValid`). */
    csrf?: 'multipart';
  }
}

export const SESSION_COOKIE = 'maillage_session';
const CSRF_COOKIE = 'maillage_csrf';
export const CSRF_FIELD = '_csrf';

const secure = (ctx: AppContext) => ctx.config.publicUrl.startsWith('https:');

export function setSessionCookie(ctx: AppContext, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(ctx),
    maxAge: 12 * 3600,
  });
}

export function clearSessionCookie(ctx: AppContext, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(ctx) });
}

const hmac = (secret: string) => createHmac('sha256', secret).update('maillage-csrf').digest('base64url');

/** The CSRF token for this request's session (or pre-session cookie, created on demand). */
export function csrfToken(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string {
  if (request.user) return hmac(request.user.csrfSecret);
  let secret = request.cookies[CSRF_COOKIE];
  if (!secret || secret.length < 20 || secret.length > 100) {
    secret = randomBytes(24).toString('base64url');
    request.cookies[CSRF_COOKIE] = secret;
    reply.setCookie(CSRF_COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(ctx) });
  }
  return hmac(secret);
}

export const csrfField = (ctx: AppContext, request: FastifyRequest, reply: FastifyReply): SafeHtml =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(ctx, request, reply)}">`;

/**
 * The token comes from the form body or the `x-csrf-token` header, never from the query string
 * (finding 11: URLs end up in logs, history and Referer headers).
 */
export function csrfValid(request: FastifyRequest, fromMultipart?: unknown): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  const given =
    fromMultipart ??
    (typeof body === 'object' && body !== null ? body[CSRF_FIELD] : undefined) ??
    request.headers['x-csrf-token'];
  if (typeof given !== 'string' || given.length > 200) return false;
  const secret = request.user?.csrfSecret ?? request.cookies[CSRF_COOKIE];
  if (!secret) return false;
  const expected = Buffer.from(hmac(secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const isMultipart = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');

/**
 * Upload routes declare `config: { csrf: 'multipart' }` and call this with the fields read before
 * the file: the form's hidden `_csrf` input comes first in the body, so no JavaScript is needed.
 * Answers the 403 page and returns false when the token is missing or wrong.
 */
export function multipartCsrfValid(
  request: FastifyRequest,
  reply: FastifyReply,
  fields: Record<string, unknown> | undefined,
): boolean {
  const field = fields?.[CSRF_FIELD] as { value?: unknown } | undefined;
  if (csrfValid(request, field?.value ?? request.headers['x-csrf-token'])) return true;
  refuseCsrf(request, reply);
  return false;
}

function refuseCsrf(request: FastifyRequest, reply: FastifyReply) {
  request.log.warn({ userId: request.user?.principal.id }, 'jeton CSRF absent ou invalide');
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(
      messagePage(
        'Formulaire expiré',
        'Ce formulaire a expiré ou ne provient pas de ce site : par sécurité, rien n’a été enregistré. Revenez à la page précédente, rechargez-la, puis recommencez.',
      ),
    );
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const sessionPlugin = (ctx: AppContext) =>
  fp(
    async (app: FastifyInstance) => {
      await app.register(cookie);
      app.decorateRequest('user', null);
      app.addHook('onRequest', async (request) => {
        request.user = null;
        if (request.url.startsWith('/assets/')) return;
        const token = request.cookies[SESSION_COOKIE];
        if (token) request.user = await resolveSession(ctx, token);
      });
      // After body parsing, before validation: every form write must carry the token.
      app.addHook('preValidation', async (request, reply) => {
        if (!UNSAFE.has(request.method) || request.url.startsWith('/api/')) return;
        // An upload's body is a stream: its route checks the token field read before the file.
        if (isMultipart(request) && request.routeOptions.config?.csrf === 'multipart') return;
        if (csrfValid(request)) return;
        return refuseCsrf(request, reply);
      });
    },
    { name: 'session', dependencies: ['errors'] },
  );

/** Sends anonymous visitors to the sign-in page (GET) or answers 401. */
export const requireUser: preHandlerAsyncHookHandler = async (request, reply) => {
  if (request.user) return;
  if (request.method === 'GET') {
    return reply.redirect(`/espace/connexion?retour=${encodeURIComponent(request.url)}`, 303);
  }
  return reply
    .code(401)
    .type('text/html; charset=utf-8')
    .send(
      messagePage(
        'Session expirée',
        'Votre session a expiré. Connectez-vous de nouveau, puis recommencez.',
        html`<p><a class="fr-btn" href="/espace/connexion">Se connecter</a></p>`,
      ),
    );
};

/**
 * The one policy a route declares. `resolveTarget` reads what the action is on (null: it does not
 * exist). Out of scope answers 404, like a missing target, and the attempt is logged and audited.
 *
 *   app.get('/espace/x/:id', { preHandler: requirePolicy(ctx, 'structure.history', structureTarget(ctx)) }, …)
 */
export function requirePolicy(
  ctx: AppContext,
  action: Action,
  resolveTarget?: (request: FastifyRequest) => Promise<Target | null>,
): preHandlerAsyncHookHandler {
  return async function (this: unknown, request, reply) {
    await requireUser.call(this as never, request, reply);
    if (reply.sent || !request.user) return;
    const target = resolveTarget ? await resolveTarget(request) : {};
    if (target && can(request.user.principal, action, target)) return;
    await recordDenied(ctx, actorOf(request), action, 'route', request.url.slice(0, 200));
    const message = 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.';
    if (request.url.startsWith('/api/')) throw notFound(message);
    // A French page for forms too (the error handler answers JSON to non-GET requests).
    return reply.code(404).type('text/html; charset=utf-8').send(messagePage('Page introuvable', message));
  };
}

/** Target of a route with an `:id` param naming a structure. */
export const structureTarget =
  (ctx: AppContext) =>
  async (request: FastifyRequest): Promise<Target | null> => {
    const id = (request.params as { id?: string }).id ?? '';
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const s = await ctx.directory.structure(id);
    return s ? { structureId: s.id, departement: s.departement } : null;
  };

export const actorOf = (request: FastifyRequest) => {
  const u = request.user;
  if (!u) throw notFound();
  return {
    principal: u.principal,
    label: u.displayName ? `${u.displayName} <${u.email}>` : u.email,
    ip: request.ip,
  };
};

/**
 * A local path to go back to after sign-in, never another site (finding 4). The value is parsed as a
 * URL against a placeholder origin and REBUILT from its path and query; anything a browser could read
 * as another host (`//x`, `/\\x`, `/\t/x`: tabs and newlines are dropped by URL parsers) is refused,
 * as are control characters anywhere, whatever their encoding.
 */
export function safeReturn(value: unknown): string {
  const fallback = '/espace';
  if (typeof value !== 'string' || value.length === 0 || value.length >= 500) return fallback;
  // Raw and percent-decoded: control characters, backslashes and a leading `//` are refused.
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  for (const v of [value, decoded]) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
    if (/[\u0000-\u001f\u007f\\]/.test(v) || !v.startsWith('/') || v.startsWith('//')) return fallback;
  }
  let parsed: URL;
  try {
    parsed = new URL(value, 'http://x.invalid');
  } catch {
    return fallback;
  }
  if (
    parsed.origin !== 'http://x.invalid' ||
    !parsed.pathname.startsWith('/') ||
    parsed.pathname.startsWith('//')
  )
    return fallback;
  return `${parsed.pathname}${parsed.search}`;
}

/** The signed-in user of a route guarded by `requireUser` / `requirePolicy`. */
export function userOf(request: FastifyRequest): SessionUser {
  if (!request.user) throw notFound();
  return request.user;
}
