import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { ConfirmationRequired, formatDay, MobileDocumentError, parseDay } from '../../domain/mobile/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
import type { Actor } from '../../services/mobile/mobile.service.js';
import { messagePage } from '../../web/views/layout.js';
import {
  type BusStructure,
  busPage,
  type PassageError,
  tourPage,
} from '../../web/views/mobile-backoffice/bus.views.js';
import { actorOf, csrfField, requirePolicy, structureTarget, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
const WEEKS = 8;
const MAX_REASON = 300;
const MAX_DOCUMENT = 200_000;
const ENTRY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const MESSAGES: Record<string, string> = {
  annule: 'Le passage est annulé : les pages publiques et les calendriers l’affichent déjà.',
  retabli: 'Le passage est rétabli.',
  tournee: 'La tournée est enregistrée et publiée.',
};

/** One field of a posted form, as text (the first value if repeated; empty if absent or not text). */
const bodyField = (body: unknown, name: string): string => {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : '';
};

/** "Unexpected token } in JSON at position 42" → a French sentence with the line and column. */
function jsonErrorMessage(source: string, e: unknown): string {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
  const base = 'Le document n’est pas du JSON valide';
  if (!m?.[1]) return `${base} : vérifiez les virgules, les guillemets et les accolades.`;
  const before = source.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${base} (ligne ${line}, colonne ${column}) : vérifiez les virgules, les guillemets et les accolades.`;
}

/**
 * The agents' back office for a bus (or itinerant) France Services: cancel or restore a passage
 * in the next eight weeks, and replace the tour document. Guarded by `structure.edit`; a
 * structure that is not mobile answers 404. The service writes every change to the audit log.
 */
export const mobileBackofficeRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.mobile;
    const guard = requirePolicy(ctx, 'structure.edit', structureTarget(ctx));
    const communeName = (code: string) => ctx.geography.communes.resolve(code)?.name ?? code;

    const actor = (request: FastifyRequest): Actor => {
      const a = actorOf(request);
      return { label: a.label, id: a.principal.id, ip: a.ip };
    };

    /** The structure if it is mobile; otherwise a 404 page is sent and null returned. */
    async function busStructure(request: FastifyRequest, reply: FastifyReply): Promise<BusStructure | null> {
      const { id } = request.params as { id: string };
      const s = await service.mobileStructure(id);
      if (!s) {
        htmlReply(
          reply,
          404,
          messagePage(
            'Page introuvable',
            'Cette structure n’est pas un bus France Services ou une structure itinérante : elle n’a pas de tournée.',
          ),
        );
        return null;
      }
      return s;
    }

    async function renderBus(
      request: FastifyRequest,
      reply: FastifyReply,
      structure: BusStructure,
      status: number,
      extra: { notice?: string | null; error?: PassageError | null; topError?: string | null } = {},
    ) {
      const from = localDate(ctx.clock.now(), timeZoneOf(structure.codeInsee));
      const to = formatDay((parseDay(from) as number) + WEEKS * 7);
      const lists = await service.unitsWithPassages(structure.idFs, from, to);
      return htmlReply(
        reply,
        status,
        busPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          structure,
          units: lists,
          communeName,
          from,
          to,
          ...extra,
        }),
      );
    }

    app.get(
      '/espace/structures/:id/bus',
      {
        schema: {
          hide: true,
          params: Id,
          querystring: Type.Object({ message: Type.Optional(Type.String()) }),
        },
        preHandler: guard,
        attachValidation: true,
      },
      async (request, reply) => {
        const structure = await busStructure(request, reply);
        if (!structure) return;
        const message = (request.query as { message?: string } | undefined)?.message ?? '';
        return renderBus(request, reply, structure, 200, { notice: MESSAGES[message] ?? null });
      },
    );

    /** Reads and checks {entry, date} of a passage form: the entry must be one of this structure's buses. */
    async function passageOf(structure: BusStructure, body: unknown) {
      const entry = bodyField(body, 'entry').trim();
      const date = bodyField(body, 'date').trim();
      const fail = (message: string) => ({ ok: false as const, error: { entry, date, message } });
      if (!ENTRY_RE.test(entry)) return fail('Passage introuvable : rechargez la page puis recommencez.');
      if (!(await service.entryBelongsTo(entry, structure.idFs)))
        return fail('Passage introuvable : rechargez la page puis recommencez.');
      if (parseDay(date) === undefined)
        return fail('Date invalide (format attendu AAAA-MM-JJ) : rechargez la page puis recommencez.');
      return { ok: true as const, entry, date };
    }

    const domainMessage = (e: unknown) => {
      if (e instanceof DomainError) return e.message;
      throw e;
    };

    app.post(
      '/espace/structures/:id/bus/annuler',
      { schema: { hide: true, params: Id }, preHandler: guard },
      async (request, reply) => {
        const structure = await busStructure(request, reply);
        if (!structure) return;
        const reason = bodyField(request.body, 'reason').trim();
        const p = await passageOf(structure, request.body);
        if (!p.ok) return renderBus(request, reply, structure, 400, { error: p.error });
        const error = (message: string): PassageError => ({
          entry: p.entry,
          date: p.date,
          message,
          reason: reason.slice(0, MAX_REASON * 2),
        });
        if (reason === '')
          return renderBus(request, reply, structure, 400, {
            error: error('Indiquez le motif de l’annulation : il est affiché au public.'),
          });
        if (reason.length > MAX_REASON)
          return renderBus(request, reply, structure, 400, {
            error: error(`Le motif dépasse ${MAX_REASON} caractères (${reason.length}) : raccourcissez-le.`),
          });
        try {
          await service.addException(
            { entry: p.entry, date: p.date, action: 'cancel', reason },
            actor(request),
          );
        } catch (e) {
          return renderBus(request, reply, structure, 400, { error: error(domainMessage(e)) });
        }
        ctx.locator.invalidate();
        return reply.redirect(`/espace/structures/${structure.id}/bus?message=annule`, 303);
      },
    );

    app.post(
      '/espace/structures/:id/bus/retablir',
      { schema: { hide: true, params: Id }, preHandler: guard },
      async (request, reply) => {
        const structure = await busStructure(request, reply);
        if (!structure) return;
        const p = await passageOf(structure, request.body);
        if (!p.ok) return renderBus(request, reply, structure, 400, { error: p.error });
        try {
          await service.removeException(p.entry, p.date, actor(request));
        } catch (e) {
          return renderBus(request, reply, structure, 400, {
            error: { entry: p.entry, date: p.date, message: domainMessage(e) },
          });
        }
        ctx.locator.invalidate();
        return reply.redirect(`/espace/structures/${structure.id}/bus?message=retabli`, 303);
      },
    );

    app.get(
      '/espace/structures/:id/bus/tournee',
      { schema: { hide: true, params: Id }, preHandler: guard },
      async (request, reply) => {
        const structure = await busStructure(request, reply);
        if (!structure) return;
        return htmlReply(
          reply,
          200,
          tourPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            structure,
            document: await service.currentDocument(structure.idFs),
          }),
        );
      },
    );

    app.post(
      '/espace/structures/:id/bus/tournee',
      { schema: { hide: true, params: Id }, preHandler: guard },
      async (request, reply) => {
        const structure = await busStructure(request, reply);
        if (!structure) return;
        const source = bodyField(request.body, 'document');
        const confirm = bodyField(request.body, 'confirm') !== '';
        const again = (status: number, errors: string[], needsConfirmation = false) =>
          htmlReply(
            reply,
            status,
            tourPage({
              user: userOf(request),
              csrf: csrfField(ctx, request, reply),
              structure,
              document: source.slice(0, MAX_DOCUMENT),
              errors,
              needsConfirmation,
            }),
          );
        if (source.trim() === '') return again(400, ['Le document est vide.']);
        if (source.length > MAX_DOCUMENT)
          return again(400, [`Le document est trop long (${MAX_DOCUMENT} caractères au plus).`]);
        let parsed: unknown;
        try {
          parsed = JSON.parse(source);
        } catch (e) {
          return again(400, [jsonErrorMessage(source, e)]);
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          return again(400, [
            'Le document doit être un objet JSON : { "units": …, "stops": …, "entries": … }.',
          ]);
        const foreign = await service.foreignUnits(structure.idFs, parsed, ENTRY_RE);
        if (foreign.length > 0) return again(400, foreign);
        try {
          await service.load(parsed, { confirm, actor: actor(request) });
        } catch (e) {
          if (e instanceof ConfirmationRequired)
            return again(
              400,
              [
                'Des arrêts sont à plus de 200 km de la structure : vérifiez-les, cochez la confirmation puis enregistrez de nouveau.',
                ...e.confirmations.map((c) => `${c.field} : ${c.message}`),
              ],
              true,
            );
          if (e instanceof MobileDocumentError)
            return again(
              400,
              e.issues.map((i) => `${i.field} : ${i.message}`),
            );
          return again(e instanceof DomainError && e.code === 'conflict' ? 409 : 400, [domainMessage(e)]);
        }
        ctx.locator.invalidate();
        return reply.redirect(`/espace/structures/${structure.id}/bus?message=tournee`, 303);
      },
    );
  };
