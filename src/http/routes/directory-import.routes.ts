import multipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { DomainError } from '../../domain/shared/errors.js';
import {
  confirmImport,
  IMPORT_MAX_BYTES,
  previewImport,
} from '../../services/backoffice/structure-import.service.js';
import { html } from '../../web/html.js';
import {
  importDonePage,
  importFormPage,
  importPreviewPage,
} from '../../web/views/backoffice/import.views.js';
import { messagePage } from '../../web/views/layout.js';
import {
  actorOf,
  csrfField,
  csrfToken,
  multipartCsrfValid,
  requirePolicy,
  userOf,
} from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const DraftId = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
});

/**
 * /espace/import (issue 16): the national administrator uploads the official CSV, reads the dry-run report,
 * and confirms. Policy `directory.import` (national only); CSRF as on every form (in the query for the
 * multipart upload, read before the body); the upload is bounded (20 MB, one file, no other field).
 */
export const directoryImportRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(multipart, {
      limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 2, fieldSize: 200, parts: 3 },
    });
    const guard = requirePolicy(ctx, 'directory.import');

    const form = (request: FastifyRequest, reply: FastifyReply, status: number, error: string | null) =>
      htmlReply(
        reply,
        status,
        importFormPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          csrfToken: csrfToken(ctx, request, reply),
          error,
        }),
      );

    app.get('/espace/import', { schema: { hide: true }, preHandler: guard }, async (request, reply) =>
      form(request, reply, 200, null),
    );

    app.post(
      '/espace/import',
      // The token is the form's first field (never in the URL), checked here before the file is read.
      { schema: { hide: true }, preHandler: guard, config: { csrf: 'multipart' } },
      async (request, reply) => {
        if (!request.isMultipart())
          return form(request, reply, 415, 'Envoyez le fichier avec le formulaire ci-dessous.');
        try {
          const file = await request.file().catch(() => undefined);
          if (!multipartCsrfValid(request, reply, file?.fields as Record<string, unknown> | undefined))
            return;
          if (!file) throw new DomainError('invalid', 'Choisissez le fichier CSV à importer.', 'file');
          let bytes: Buffer;
          try {
            bytes = await file.toBuffer();
          } catch {
            throw new DomainError('too_large', 'Fichier trop volumineux : 20 Mo au plus.', 'file');
          }
          const { draftId, report, source } = await previewImport(
            ctx,
            actorOf(request),
            bytes,
            file.filename,
          );
          return htmlReply(
            reply,
            200,
            importPreviewPage({
              user: userOf(request),
              csrf: csrfField(ctx, request, reply),
              source,
              draftId,
              report,
            }),
          );
        } catch (error) {
          if (error instanceof DomainError && error.code !== 'not_found')
            return form(request, reply, error.code === 'too_large' ? 413 : 400, error.message);
          throw error;
        }
      },
    );

    app.post(
      '/espace/import/:id/confirmer',
      { schema: { hide: true, params: DraftId }, preHandler: guard, attachValidation: true },
      async (request, reply) => {
        const refused = (message: string) =>
          htmlReply(
            reply,
            409,
            messagePage(
              'Import non effectué',
              message,
              html`<p><a class="fr-btn" href="/espace/import">Envoyer le fichier</a></p>`,
            ),
          );
        if (request.validationError)
          return refused('Ce lien de confirmation est incorrect : rien n’a été importé.');
        try {
          const { report, source } = await confirmImport(ctx, actorOf(request), request.params.id);
          return htmlReply(
            reply,
            200,
            importDonePage({ user: userOf(request), csrf: csrfField(ctx, request, reply), source, report }),
          );
        } catch (error) {
          if (error instanceof DomainError && error.code === 'conflict') return refused(error.message);
          throw error;
        }
      },
    );
  };
