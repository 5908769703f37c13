import pino from 'pino';
import { type AppContext, closeContext, openContext } from '../composition.js';
import { loadConfig } from '../config.js';
import { DomainError } from '../domain/shared/errors.js';

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

/**
 * Run a command body inside the same composition root as the server.
 * Tests call command functions directly with their own context; this is for the real CLI.
 */
export async function withContext<T>(body: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Logs go to stderr: stdout carries the command's output (often --json, read by scripts).
  const logger = pino({ level: config.logLevel, base: { app: 'maillage' } }, pino.destination(2));
  const ctx = await openContext(config, { logger });
  try {
    return await body(ctx);
  } finally {
    await closeContext(ctx);
  }
}

export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof DomainError) {
    return { message: error.field ? `${error.field} : ${error.message}` : error.message, exitCode: 1 };
  }
  if (error instanceof Error && error.name === 'ConfigError') return { message: error.message, exitCode: 2 };
  return {
    message: `Erreur inattendue : ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    exitCode: 70,
  };
}
