import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import {
  AUTONOMIES,
  CANAUX,
  DUREE_MAX,
  DUREE_MIN,
  NOTE_MAX,
  PARTENAIRES,
  RESULTATS,
  TRANCHES_AGE,
} from '../../domain/accompagnement/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { BATCH_MAX, type Caller, LIST_MAX } from '../../services/accompagnement/accompagnement.service.js';
import { csrfValid } from '../plugins/session.js';

const codes = (list: readonly string[]) => Type.String({ maxLength: 40, description: list.join(', ') });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const Item = Type.Object(
  {
    id: Type.String({ maxLength: 64, description: 'UUID généré par le client : la clé d’idempotence' }),
    id_fs: Type.String({ maxLength: 64, description: 'identifiant France Services de la structure' }),
    debut: Type.String({
      maxLength: 40,
      description: 'ISO 8601 avec décalage, ex. 2026-05-04T09:30:00+02:00',
    }),
    duree_min: Type.Integer({ minimum: DUREE_MIN, maximum: DUREE_MAX }),
    canal: codes(CANAUX),
    arret_bus: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    partenaire: codes(PARTENAIRES),
    demarche: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    resultat: codes(RESULTATS),
    tranche_age: Type.Optional(Nullable(codes(TRANCHES_AGE))),
    commune_usager: Type.Optional(Nullable(Type.String({ maxLength: 10 }))),
    premiere_visite: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    autonomie: Type.Optional(Nullable(codes(AUTONOMIES))),
    note: Type.Optional(Nullable(Type.String({ maxLength: NOTE_MAX }))),
  },
  { additionalProperties: false },
);
const ErrorBody = Type.Object({
  error: Type.String(),
  field: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
});
const Outcome = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() });
const Exchange = Type.Object({
  id: Type.String(),
  id_fs: Type.String(),
  debut: Type.String(),
  duree_min: Type.Integer(),
  canal: Type.String(),
  arret_bus: Type.Union([Type.String(), Type.Null()]),
  partenaire: Type.String(),
  demarche: Type.Union([Type.String(), Type.Null()]),
  resultat: Type.String(),
  tranche_age: Type.Union([Type.String(), Type.Null()]),
  commune_usager: Type.Union([Type.String(), Type.Null()]),
  premiere_visite: Type.Union([Type.Boolean(), Type.Null()]),
  autonomie: Type.Union([Type.String(), Type.Null()]),
});

const SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }];

/**
 * The caller of an API request: a per-structure token (`Authorization: Bearer mfs_…`), or an agent's
 * session cookie — then a write must carry the CSRF token in `X-CSRF-Token` (a cookie is sent by the
 * browser on any site's behalf; a header is not).
 */
async function callerOf(ctx: AppContext, request: FastifyRequest, write: boolean): Promise<Caller> {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
    const caller = await ctx.accompagnement.authenticateToken(auth.slice(7).trim());
    if (!caller) throw new DomainError('unauthenticated', 'Jeton d’API inconnu ou révoqué.', 'authorization');
    return caller;
  }
  if (request.user) {
    if (write && !csrfValid(request))
      throw new DomainError(
        'forbidden',
        'Jeton CSRF absent ou invalide : envoyez l’en-tête X-CSRF-Token de la page.',
        'x-csrf-token',
      );
    return { kind: 'user', principal: request.user.principal };
  }
  throw new DomainError(
    'unauthenticated',
    'Authentification requise : jeton d’API de la structure, ou session d’agent.',
    'authorization',
  );
}

/** POST and GET /api/v1/accompagnements (issue 12, section 4). */
export const accompagnementApiRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/v1/accompagnements',
      {
        bodyLimit: 2_097_152,
        schema: {
          tags: ['accompagnements'],
          summary: 'Enregistrer un lot d’accompagnements (500 au plus), idempotent par id',
          description:
            'Tout ou rien : un élément invalide, ou un id déjà enregistré avec un contenu différent, fait refuser le lot entier ({error, field: "items.<i>.<champ>", message}). Un id déjà enregistré avec le même contenu compte « unchanged ».',
          security: SECURITY,
          body: Type.Object({ items: Type.Array(Item, { minItems: 1, maxItems: BATCH_MAX }) }),
          response: {
            200: Outcome,
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            409: ErrorBody,
            413: ErrorBody,
          },
        },
      },
      async (request) => {
        const caller = await callerOf(ctx, request, true);
        const agentId = caller.kind === 'user' ? caller.principal.id : null;
        const outcome = await ctx.accompagnement.writeBatch(caller, request.body.items, {
          mode: 'api',
          source: 'api',
          agentId,
        });
        return { created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged };
      },
    );

    app.get(
      '/api/v1/accompagnements',
      {
        schema: {
          tags: ['accompagnements'],
          summary:
            'Les accompagnements de la structure de l’appelant, du plus récent au plus ancien (paginé)',
          description:
            'Avec un jeton : ceux de sa structure. Avec une session : toute la structure pour un responsable, ses propres accompagnements pour un agent. La note privée n’est jamais renvoyée.',
          security: SECURITY,
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_MAX, default: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 80 })),
          }),
          response: {
            200: Type.Object({ items: Type.Array(Exchange), next: Type.Union([Type.String(), Type.Null()]) }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const caller = await callerOf(ctx, request, false);
        return ctx.accompagnement.exchangePage(caller, request.query);
      },
    );
  };
