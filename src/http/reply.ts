import type { FastifyReply } from 'fastify';

/**
 * A server-rendered page: HTML in UTF-8, never cached (pages show personal data and CSRF tokens).
 * The one helper the route files use to answer with a page.
 */
export const htmlReply = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
