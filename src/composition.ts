import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { type Clock, systemClock } from './domain/shared/time.js';

/**
 * The one composition root. The server, the CLI and the tests all open a context here, then
 * the server wraps it with `buildApp(ctx)`. Capabilities add their services to `AppContext`.
 */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Database['db'];
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ContextOverrides {
  readonly clock?: Clock;
  /** An already-open database (tests pass a fresh one per file). */
  readonly database?: Database;
  readonly logger?: Logger;
}

export async function openContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { app: 'maillage' } });
  const database = overrides.database ?? (await openDatabase(config));
  return {
    config,
    database,
    db: database.db,
    clock: overrides.clock ?? systemClock,
    logger,
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.database.close();
}
