import { timingSafeEqual } from 'node:crypto';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { DomainError, invalid } from '../../domain/shared/errors.js';
import { CLI_CHANNEL_PATH } from '../../services/operations/server-file.js';
import {
  runServerJob,
  SERVER_JOB_MAX_CSV_BYTES,
  type ServerJob,
} from '../../services/operations/server-jobs.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The local channel from `maillage` commands to the running server (embedded database only). Two locks:
 * the TCP peer must be this machine (the socket's address, not `request.ip`, which a trusted proxy could
 * set), and the bearer token must be the random one the server wrote, readable by its owner only, in
 * the data folder (src/cli/server-channel.ts).
 */
export const cliChannelRoutes =
  (ctx: AppContext, token: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    const expected = Buffer.from(token);
    const authorise = async (request: FastifyRequest) => {
      if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
        throw new DomainError('forbidden', 'Ce point d’accès n’est ouvert qu’à la machine du serveur.');
      }
      const header = request.headers.authorization ?? '';
      const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new DomainError(
          'unauthenticated',
          'Jeton de la ligne de commande absent ou invalide.',
          'authorization',
        );
      }
    };
    app.post(
      CLI_CHANNEL_PATH,
      {
        // base64 of the largest accepted CSV, plus the JSON around it
        bodyLimit: Math.ceil((SERVER_JOB_MAX_CSV_BYTES * 4) / 3) + 4096,
        onRequest: authorise,
        schema: {
          hide: true,
          // One object rather than a union: AJV's removeAdditional would strip one branch's fields while
          // trying the other. runServerJob checks which fields each job needs.
          body: Type.Object({
            job: Type.Union([
              Type.Literal('import-structures'),
              Type.Literal('create-admin'),
              Type.Literal('backup'),
            ]),
            csv: Type.Optional(Type.String({ maxLength: Math.ceil((SERVER_JOB_MAX_CSV_BYTES * 4) / 3) + 4 })),
            source: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            dryRun: Type.Optional(Type.Boolean()),
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
          }),
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return runServerJob(ctx, toServerJob(request.body));
      },
    );
  };

function toServerJob(body: {
  job: ServerJob['job'];
  csv?: string;
  source?: string;
  dryRun?: boolean;
  email?: string;
}): ServerJob {
  if (body.job === 'backup') return { job: body.job };
  if (body.job === 'create-admin') {
    if (!body.email) throw invalid('email', 'Indiquez l’adresse électronique de l’administrateur.');
    return { job: body.job, email: body.email };
  }
  if (!body.csv) throw invalid('csv', 'Le fichier CSV est vide.');
  return {
    job: body.job,
    csv: body.csv,
    source: body.source ?? 'ligne de commande',
    dryRun: body.dryRun ?? false,
  };
}
