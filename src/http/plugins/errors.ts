import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import { messagePage } from '../../web/views/layout.js';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
};

/** The HTTP status of a domain error code: route files ask here rather than keep their own map. */
export const statusOf = (code: ErrorCode): number => STATUS[code];

export interface ApiError {
  error: ErrorCode | 'internal';
  field: string | null;
  message: string;
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** AJV's English message, rewritten in French for a person. */
function frenchValidation(issue: AjvIssue): string {
  const p = issue.params ?? {};
  switch (issue.keyword) {
    case 'required':
      return 'Ce paramètre est obligatoire.';
    case 'type':
      return p.type === 'integer' || p.type === 'number'
        ? 'Un nombre est attendu.'
        : p.type === 'boolean'
          ? 'Une valeur « true » ou « false » est attendue.'
          : 'Type de valeur incorrect.';
    case 'minimum':
    case 'exclusiveMinimum':
      return `La valeur doit être supérieure ${issue.keyword === 'minimum' ? 'ou égale ' : ''}à ${p.limit}.`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `La valeur doit être inférieure ${issue.keyword === 'maximum' ? 'ou égale ' : ''}à ${p.limit}.`;
    case 'maxLength':
      return `Le texte ne doit pas dépasser ${p.limit} caractères.`;
    case 'minLength':
      return p.limit === 1
        ? 'Ce champ ne doit pas être vide.'
        : `Au moins ${p.limit} caractères sont attendus.`;
    case 'enum':
      return `Valeur inconnue. Valeurs possibles : ${(p.allowedValues as unknown[] | undefined)?.join(', ') ?? '—'}.`;
    case 'pattern':
    case 'format':
      return 'Le format de la valeur est incorrect.';
    case 'additionalProperties':
      return `Paramètre inconnu : ${p.additionalProperty}.`;
    case 'x-finite':
      return 'Un nombre fini est attendu (Infinity, NaN ou un nombre trop grand ne sont pas acceptés).';
    case 'maxItems':
      return `Au plus ${p.limit} éléments sont acceptés.`;
    default:
      return 'Valeur invalide.';
  }
}

function fieldOf(issue: AjvIssue): string | null {
  const path = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') {
    return path ? `${path}.${issue.params.missingProperty}` : issue.params.missingProperty;
  }
  if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
    return issue.params.additionalProperty;
  }
  return path || null;
}

/**
 * A form whose schema validation failed (routes with `attachValidation: true` that answer with their
 * own page): the same French message and field the handler below would give, as a DomainError.
 */
export function invalidForm(error: { validation?: unknown; validationContext?: string }): DomainError {
  const first = ((error.validation as AjvIssue[] | undefined) ?? [])[0] ?? {};
  return new DomainError(
    'invalid',
    frenchValidation(first),
    fieldOf(first) ?? error.validationContext ?? undefined,
  );
}

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type), in French. */
function frenchFastify(error: FastifyError): { code: ErrorCode; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'too_large', message: 'La requête est trop volumineuse.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported', message: 'Type de contenu non pris en charge.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid', message: 'Le corps de la requête n’est pas un JSON valide.' };
    default:
      return null;
  }
}

// Under /assets/ a name ending in .json is a file, not an API: a refusal there is a French page too.
const wantsHtml = (request: FastifyRequest) =>
  !request.url.startsWith('/api/') &&
  (!request.url.endsWith('.json') || request.url.startsWith('/assets/')) &&
  request.method === 'GET';

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: ApiError) {
  reply.status(status);
  if (wantsHtml(request)) {
    const title =
      status === 404 ? 'Page introuvable' : status >= 500 ? 'Une erreur est survenue' : 'Demande incorrecte';
    return reply.type('text/html; charset=utf-8').send(messagePage(title, body.message));
  }
  return reply.send(body);
}

/**
 * Errors the router raises before any route or hook runs (Fastify's `frameworkErrors`): a malformed escape in the
 * path (`/x/%zz`), a path segment longer than the router accepts. Without this they answered Fastify's English
 * JSON with its internal code (found by the fuzz test of issue 9), even for pages.
 */
export function frenchFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  return send(request, reply, 400, {
    error: 'invalid',
    field: null,
    message: tooLong
      ? 'L’adresse demandée est trop longue. Vérifiez le lien.'
      : 'L’adresse demandée est mal formée. Vérifiez le lien.',
  });
}

/**
 * The single error handler: 4xx keep a message a person understands, in French, with the field at fault;
 * 5xx become a generic message, and the detail goes to the log only.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
      if (error instanceof DomainError) {
        return send(request, reply, STATUS[error.code], {
          error: error.code,
          field: error.field ?? null,
          message: error.message,
        });
      }
      if (error.validation) {
        const first = (error.validation as AjvIssue[])[0] ?? {};
        return send(request, reply, 400, {
          error: 'invalid',
          field: fieldOf(first) ?? error.validationContext ?? null,
          message: frenchValidation(first),
        });
      }
      const known = frenchFastify(error);
      if (known)
        return send(request, reply, STATUS[known.code], {
          error: known.code,
          field: null,
          message: known.message,
        });
      const status = error.statusCode ?? 500;
      // A path that tries to leave an assets folder is simply not found (no hint of what is refused).
      if (status === 403 && request.url.startsWith('/assets/'))
        return send(request, reply, 404, {
          error: 'not_found',
          field: null,
          message: 'Cette page n’existe pas ou plus. Vérifiez l’adresse, ou revenez à l’accueil.',
        });
      if (status >= 400 && status < 500) {
        return send(request, reply, status, {
          error: status === 404 ? 'not_found' : status === 429 ? 'rate_limited' : 'invalid',
          field: null,
          message:
            status === 429
              ? 'Trop de requêtes : réessayez dans une minute. Ce service limite les demandes coûteuses pour rester disponible à tous.'
              : 'Requête incorrecte.',
        });
      }
      request.log.error({ err: error }, 'unhandled error');
      return send(request, reply, 500, {
        error: 'internal',
        field: null,
        message: 'Une erreur interne est survenue. L’équipe technique a été prévenue ; réessayez plus tard.',
      });
    });

    app.setNotFoundHandler((request, reply) =>
      send(request, reply, 404, {
        error: 'not_found',
        field: null,
        message: 'Cette page n’existe pas ou plus. Vérifiez l’adresse, ou revenez à l’accueil.',
      }),
    );
  },
  { name: 'errors' },
);
