import type { FastifyReply, FastifyRequest } from 'fastify';
import { messagePage } from '../web/views/layout.js';

/**
 * A server-rendered page: HTML in UTF-8, never cached (pages show personal data and CSRF tokens).
 * The one helper the route files use to answer with a page.
 */
export const htmlReply = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/**
 * A form posted with values of the wrong shape (too long, repeated, of the wrong type): its route validates
 * with `attachValidation`, and answers this French page instead of JSON. True when it answered.
 */
export function badForm(request: FastifyRequest, reply: FastifyReply): boolean {
  if (!request.validationError) return false;
  htmlReply(
    reply,
    400,
    messagePage(
      'Formulaire incorrect',
      'Une valeur du formulaire est trop longue ou mal formée : rien n’a été enregistré. Revenez en arrière, corrigez-la et recommencez.',
    ),
  );
  return true;
}
