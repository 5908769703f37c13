import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { DomainError } from '../../domain/shared/errors.js';

/**
 * Staff-only API endpoints for scripts and servers (no browser session): `Authorization: Bearer
 * <MAILLAGE_ADMIN_TOKEN>`, a national-level key kept beside the accounts' sessions. Use as a route
 * `preHandler`. With no token configured, these endpoints are closed.
 */
export function requireAdminToken(config: Config) {
  const expected = config.adminToken ? Buffer.from(config.adminToken) : null;
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError('unauthenticated', 'Jeton d’administration absent ou invalide.', 'authorization');
    }
  };
}
