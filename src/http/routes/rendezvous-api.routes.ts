import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { NAME_MAX } from '../../domain/rendezvous/index.js';
import { toLocalIso } from '../../domain/shared/time-zone.js';
import { MAX_SLOTS_PER_ANSWER } from '../../services/rendezvous/rendezvous.service.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';

const ErrorBody = Type.Object({
  error: Type.String(),
  field: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
});
const Instant = (description: string) => Type.String({ maxLength: 40, description });

/** GET /api/v1/structures/:id/creneaux and POST /api/v1/rendez-vous (issue 15, section 5). Public. */
export const rendezvousApiRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/v1/structures/:id/creneaux',
      {
        config: { rateLimit: RATE_BUDGETS.calendar },
        schema: {
          tags: ['rendez-vous'],
          summary: 'Les créneaux libres d’une France Services, réservables en ligne',
          description: `Période par défaut : 8 semaines à partir de maintenant ; 93 jours au plus. Heures ISO 8601 avec le décalage de la commune de la structure. Au plus ${MAX_SLOTS_PER_ANSWER} créneaux (truncated: true au-delà).`,
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          querystring: Type.Object({
            from: Type.Optional(Instant('début, ISO 8601 avec décalage (défaut : maintenant)')),
            to: Type.Optional(Instant('fin, ISO 8601 avec décalage (défaut : début + 56 jours)')),
            motif: Type.Optional(Type.String({ maxLength: 64, description: 'identifiant du motif' })),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({ start: Type.String(), end: Type.String(), motif: Type.String() }),
              ),
              truncated: Type.Boolean(),
            }),
            400: ErrorBody,
            404: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request) => {
        const r = await ctx.rendezvous.publicSlots(request.params.id, request.query);
        return {
          items: r.items.map((s) => ({
            start: toLocalIso(s.start, r.zone),
            end: toLocalIso(s.end, r.zone),
            motif: s.motifId,
          })),
          truncated: r.truncated,
        };
      },
    );

    app.post(
      '/api/v1/rendez-vous',
      {
        bodyLimit: 16_384,
        config: { rateLimit: RATE_BUDGETS.booking },
        schema: {
          tags: ['rendez-vous'],
          summary: 'Réserver un créneau (public, sans compte)',
          description:
            'Un nom et une adresse électronique ou un numéro de téléphone. 201 avec le lien personnel d’annulation ou de déplacement ; 409 si le créneau vient d’être pris ; 400 pour un créneau passé, hors disponibilités ou des coordonnées invalides ; 429 au-delà de 10 réservations en 10 minutes depuis une même adresse.',
          body: Type.Object(
            {
              structure: Type.String({ maxLength: 64 }),
              motif: Type.String({ maxLength: 64 }),
              start: Instant('début du créneau, tel que renvoyé par /creneaux'),
              name: Type.String({ maxLength: NAME_MAX * 4 }),
              email: Type.Optional(Type.String({ maxLength: 320 })),
              phone: Type.Optional(Type.String({ maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              id: Type.String(),
              start: Type.String(),
              end: Type.String(),
              motif: Type.String(),
              structure: Type.String(),
              cancelUrl: Type.String({ description: 'lien personnel pour annuler ou déplacer' }),
            }),
            400: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const booked = await ctx.rendezvous.book({
          structureId: b.structure,
          motifId: b.motif,
          start: b.start,
          name: b.name,
          email: b.email,
          phone: b.phone,
        });
        const zone = booked.zone;
        return reply.code(201).send({
          id: booked.booking.id,
          start: toLocalIso(new Date(booked.booking.debut), zone),
          end: toLocalIso(new Date(booked.booking.fin), zone),
          motif: booked.booking.motif_id,
          structure: booked.booking.structure_id,
          cancelUrl: booked.manageUrl,
        });
      },
    );
  };
