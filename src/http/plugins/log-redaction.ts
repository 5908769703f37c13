import type { FastifyRequest } from 'fastify';

/**
 * Secrets never reach the access log (finding 11): one-time tokens (`jeton`: reset, invitation,
 * setup), OpenID `code`/`state`, and any stray `_csrf` or password in a query string are replaced
 * before the URL is written.
 */
const SECRET_PARAMS = new Set(['jeton', 'token', 'code', 'state', '_csrf', 'password', 'motdepasse']);

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url.slice(q + 1).split('&');
  const kept = params.map((p) => {
    const eq = p.indexOf('=');
    const rawName = eq < 0 ? p : p.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return SECRET_PARAMS.has(name.toLowerCase()) ? `${rawName}=[retiré]` : p;
  });
  return `${url.slice(0, q)}?${kept.join('&')}`;
}

/** The access log's `req`: what Fastify logs by default, with the URL redacted. */
export const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: redactUrl(request.url),
  host: request.host,
  remoteAddress: request.ip,
});
