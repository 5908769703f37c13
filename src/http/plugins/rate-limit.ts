import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Per-route budgets for the costly anonymous endpoints (security review, finding 8), per client
 * address (the TCP peer, or X-Forwarded-For from MAILLAGE_TRUST_PROXY only). Nothing is limited
 * unless its route asks:
 *
 *   app.get('/x', { config: { rateLimit: RATE_BUDGETS.export } }, …)
 *   app.get('/y', { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, …)   // any other route
 *
 * Past the budget: 429, a French page for pages, `{error, field, message}` for the API (the single
 * error handler renders it), with `retry-after`.
 */
export const RATE_BUDGETS = Object.freeze({
  /** Whole-directory exports (CSV, GeoJSON, LMN): a few a minute is plenty for a person or a harvester. */
  export: { max: 10, timeWindow: 60_000 },
  /** PDFs drawn on demand (posters). */
  pdf: { max: 20, timeWindow: 60_000 },
  /** Territory tables as CSV. */
  tableExport: { max: 20, timeWindow: 60_000 },
  /** Calendars and occurrence ranges of the buses. */
  calendar: { max: 60, timeWindow: 60_000 },
  /** GeoJSON outlines. */
  geojson: { max: 60, timeWindow: 60_000 },
  /** Nearest-structure search: the locator's own page calls it once per search. */
  nearest: { max: 120, timeWindow: 60_000 },
  /** "Être rappelé(e)": a person sends one or two; a shared counter computer a few more in an hour. */
  callback: { max: 6, timeWindow: 3_600_000 },
  /** Public bookings (rendez-vous): a person books a few; a flood from one address is refused. */
  booking: { max: 10, timeWindow: 10 * 60_000 },
});

export class RateLimited extends Error {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('Trop de requêtes : réessayez dans un instant.');
  }
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new RateLimited(Math.ceil(context.ttl / 1000)),
    });
  },
  { name: 'rate-limit', dependencies: ['errors'] },
);
