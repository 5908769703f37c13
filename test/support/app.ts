import { type AppContext, closeContext, openContext } from '../../src/composition.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Clock, fixedClock } from '../../src/domain/shared/time.js';
import { type App, buildApp } from '../../src/http/app.js';
import { type Geography, loadGeography } from '../../src/services/geography/load-geography.js';
import { freshDatabase } from './database.js';

export { REAL_DATA, readRealText, SHARED_DATA } from './real-data.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MAILLAGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN });
  return Object.freeze({ ...base, databaseUrl: null, refDir: null, ...overrides });
}

export interface TestContextOptions {
  readonly config?: Partial<Config>;
  /** ISO instant the clock is frozen at; defaults to a Tuesday morning in Paris. */
  readonly now?: string;
  /** A clock the test moves itself (reminders, retention); overrides `now`. */
  readonly clock?: Clock;
  /** Reference geography; defaults to the communes package without centroids. */
  readonly geography?: Geography;
}

let defaultGeography: Geography | null = null;
/** Communes from the package, no centroids: built once per test file, it is read-only. */
export const packageGeography = (): Geography => {
  defaultGeography ??= loadGeography(null);
  return defaultGeography;
};

/** A context on a fresh database, frozen clock, silent logs. */
export async function buildTestContext(options: TestContextOptions = {}): Promise<AppContext> {
  const database = await freshDatabase();
  return openContext(testConfig(options.config), {
    database,
    clock: options.clock ?? fixedClock(options.now ?? '2026-11-24T09:30:00Z'),
    geography: options.geography ?? packageGeography(),
  });
}

export interface TestApp {
  readonly app: App;
  readonly ctx: AppContext;
  close(): Promise<void>;
}

export async function buildTestApp(
  options: TestContextOptions & { readonly beforeReady?: (app: App) => void } = {},
): Promise<TestApp> {
  const ctx = await buildTestContext(options);
  const app = await buildApp(ctx);
  options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    ctx,
    close: async () => {
      await app.close();
      await closeContext(ctx);
    },
  };
}
