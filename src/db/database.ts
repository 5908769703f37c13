import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import type { Config } from '../config.js';
import { lockDataDir } from './data-dir-lock.js';
import { migrateToLatest } from './migrations/index.js';
import { PGlitePool } from './pglite-pool.js';
import type { DB } from './schema/index.js';

export type Db = Kysely<DB>;

/** Readiness: resolves when the database answers a trivial query (the /health route). */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /** PGlite only: the whole data folder as a gzipped tarball (`maillage backup`), taken between queries. */
  dump?(): Promise<Uint8Array>;
}

// Same JS values from both engines: bigint counts and numerics as numbers, `date` as 'YYYY-MM-DD'
// (pg would otherwise build a Date at local midnight, which shifts the day).
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const toNumber = (v: string) => Number(v);
const asIs = (v: string) => v;

export const PGLITE_OPTIONS = {
  extensions: { cube, earthdistance, pg_trgm, unaccent },
  parsers: { [INT8]: toNumber, [NUMERIC]: toNumber, [DATE]: asIs },
};

/** The WebAssembly build of Postgres that PGlite loads, beside its entry point. */
const PGLITE_WASM = join(
  dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')),
  'pglite.wasm',
);

/** The PGlite files inside the data folder (documents and the lock sit beside them). */
export const pgliteDir = (dataDir: string) => join(dataDir, 'pglite');

export interface PgliteOptions {
  /**
   * PostgreSQL's page cache inside the WebAssembly memory (DEFAULT_SHARED_BUFFERS unless set), which
   * never gives memory back. A one-off command sets it lower: its files stay in the system's cache, and
   * `activity import` peaks about 110 MB lower (docs/BENCHMARKS.md).
   */
  readonly sharedBuffers?: `${number}MB`;
}

/**
 * The page cache of the embedded database: 64 MB instead of PGlite's 128. Its WebAssembly build zeroes
 * the whole cache when it starts, about 4 ms per MB on this machine: 128 MB cost the server's start
 * about 0.25 s more (issue 16, item 3; docs/BENCHMARKS.md). The files themselves stay in the system's
 * cache; the embedded database is for a single site's volume, the national one runs on PostgreSQL.
 */
export const DEFAULT_SHARED_BUFFERS = '64MB';

/**
 * The embedded database. With a folder, this process takes the folder's lock first (one process at a
 * time: see data-dir-lock.ts); `role` names this process in the message another one would get.
 */
export async function openPglite(
  dataDir: string | null,
  role = 'serveur',
  options: PgliteOptions = {},
): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lock = dataDir ? lockDataDir(dataDir, role) : null;
  try {
    // Postgres's WebAssembly, read now and compiled off the main thread at once (issue 16, item 3): PGlite
    // would read it only after loading its own modules, by which time the caller's synchronous work (the
    // commune registry, built meanwhile by openContext) holds the main thread, and nothing overlapped.
    const pgliteWasmModule = WebAssembly.compile(readFileSync(PGLITE_WASM));
    const pglite = await PGlite.create(dataDir ? pgliteDir(dataDir) : 'memory://', {
      ...PGLITE_OPTIONS,
      pgliteWasmModule: await pgliteWasmModule,
      startParams: [
        ...PGlite.defaultStartParams,
        '-c',
        `shared_buffers=${options.sharedBuffers ?? DEFAULT_SHARED_BUFFERS}`,
      ],
    });
    const pool = new PGlitePool(pglite);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'pglite',
      dump: async () => {
        // Hold the one connection: no statement runs while the files are read.
        const client = await pool.connect();
        try {
          return new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
        } finally {
          client.release();
        }
      },
      close: async () => {
        try {
          await db.destroy();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

export async function openPostgres(connectionString: string, max = 10): Promise<Database> {
  // Loaded here: the embedded database's start does not evaluate the driver (about 40 ms).
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8 || oid === NUMERIC) return toNumber;
      if (oid === DATE) return asIs;
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString, max, types: types as CustomTypesConfig });
  // An idle connection the server ends (restart, fail-over, an administrator's termination) is reported as an
  // 'error' event on the pool; with no listener Node would stop the whole process. The pool has already
  // discarded that connection and opens a new one for the next query, so there is nothing else to do.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** The database the config names, migrated to the latest schema. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  role = 'serveur',
  pgliteOptions: PgliteOptions = {},
): Promise<Database> {
  const database = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : await openPglite(config.dataDir, role, pgliteOptions);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
