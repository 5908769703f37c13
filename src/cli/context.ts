import { setFlagsFromString } from 'node:v8';
import type { AppContext } from '../composition.js';
import { DomainError } from '../domain/shared/errors.js';
import type { ServerJob, ServerJobResult } from '../services/operations/server-jobs.js';

// The composition root, the config and the channel are imported inside the functions below: this module is
// loaded by `maillage --help`, which must answer without loading the database, fastify or the services.

/** A command failure a person can act on: printed without a stack trace, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** How this process is named to another one that finds the data folder taken. */
const commandRole = () => `commande « maillage ${process.argv.slice(2, 4).join(' ')} »`;

/**
 * Run a command body inside the same composition root as the server.
 * Tests call command functions directly with their own context; this is for the real CLI.
 * With the embedded database held by a running server, opening it fails with a French message naming
 * the way (stop the server, or use the back office): see src/db/data-dir-lock.ts.
 */
export async function withContext<T>(body: (ctx: AppContext) => Promise<T>): Promise<T> {
  // The command profile of the embedded database. PGlite's WebAssembly (≈ 25 MB of code) is compiled by
  // V8's optimising tier only: by default a baseline (Liftoff) copy is compiled first and stays resident
  // beside the optimised one; without it `activity import` peaks 60 to 90 MB lower (docs/BENCHMARKS.md).
  // Must run before PGlite compiles its module, i.e. before the database opens.
  setFlagsFromString('--no-liftoff');
  const [{ default: pino }, { closeContext, openContext }, { loadConfig }, { openDatabase }] =
    await Promise.all([
      import('pino'),
      import('../composition.js'),
      import('../config.js'),
      import('../db/database.js'),
    ]);
  const config = loadConfig();
  // Logs go to stderr: stdout carries the command's output (often --json, read by scripts).
  const logger = pino({ level: config.logLevel, base: { app: 'maillage' } }, pino.destination(2));
  const database = await openDatabase(config, commandRole(), { sharedBuffers: '32MB' });
  const ctx = await openContext(config, { logger, database, lazyGeography: true }).catch(
    async (error: unknown) => {
      await database.close();
      throw error;
    },
  );
  try {
    return await body(ctx);
  } finally {
    await closeContext(ctx);
  }
}

/**
 * A write command: handed to the running server when one holds the embedded database (it then answers
 * with the new data at once, and nothing is written behind its back), run here otherwise.
 * `job` builds the request only when needed (it may read a file); `local` is the same work in this process.
 */
export async function onServerOrHere<T>(
  job: () => Promise<ServerJob>,
  fromServer: (result: ServerJobResult) => T | Promise<T>,
  local: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  const [{ loadConfig }, { runningServerFor, sendToServer }] = await Promise.all([
    import('../config.js'),
    import('./server-channel.js'),
  ]);
  const server = runningServerFor(loadConfig());
  if (!server) return withContext(local);
  process.stderr.write(
    `Le serveur Maillage (pid ${server.pid}) tient la base embarquée : la commande lui est transmise.\n`,
  );
  return fromServer(await sendToServer(server, await job()));
}

export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof DomainError) {
    return { message: error.field ? `${error.field} : ${error.message}` : error.message, exitCode: 1 };
  }
  if (error instanceof Error && error.name === 'ConfigError') return { message: error.message, exitCode: 2 };
  // Another process holds the embedded database: its message says which, and what to do.
  if (error instanceof Error && error.name === 'DataDirLockedError')
    return { message: error.message, exitCode: 75 };
  return {
    message: `Erreur inattendue : ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    exitCode: 70,
  };
}
