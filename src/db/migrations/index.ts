import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import * as m202611260001 from './202611260001_directory.js';
import * as m202611261000 from './202611261000_accounts.js';
import * as m202611262100 from './202611262100_territory.js';
import * as m202611262200 from './202611262200_labelling.js';
import * as m202611262300 from './202611262300_mobile.js';
import * as m202612031001 from './202612031001_security.js';
import * as m202612031301 from './202612031301_structure_contact_lists.js';
import * as m202612031401 from './202612031401_import_drafts.js';
import * as m202612031601 from './202612031601_accompagnement.js';
import * as m202612031602 from './202612031602_rappels.js';
import * as m202612031701 from './202612031701_escalade.js';
import * as m202612031801 from './202612031801_pilotage.js';
import * as m202612031901 from './202612031901_rendezvous.js';
import * as m202612032201 from './202612032201_labelling_renewal.js';
import * as m202612040101 from './202612040101_pilotage_stale_months.js';
import * as m202612040301 from './202612040301_pilotage_structure_month.js';
import * as m202612041901 from './202612041901_pilotage_structure_month_order.js';

/**
 * Every migration, in order. Listed here (not read from disk) so that the same list runs from
 * the server, the CLI and the tests, whatever the working directory. Migrations never import app code.
 */
const migrations: Record<string, Migration> = {
  '202611260001_directory': m202611260001,
  '202611261000_accounts': m202611261000,
  '202611262100_territory': m202611262100,
  '202611262200_labelling': m202611262200,
  '202611262300_mobile': m202611262300,
  '202612031001_security': m202612031001,
  '202612031301_structure_contact_lists': m202612031301,
  '202612031401_import_drafts': m202612031401,
  '202612031601_accompagnement': m202612031601,
  '202612031602_rappels': m202612031602,
  '202612031701_escalade': m202612031701,
  '202612031801_pilotage': m202612031801,
  '202612031901_rendezvous': m202612031901,
  '202612032201_labelling_renewal': m202612032201,
  '202612040101_pilotage_stale_months': m202612040101,
  '202612040301_pilotage_structure_month': m202612040301,
  '202612041901_pilotage_structure_month_order': m202612041901,
};

export const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Whether every migration is already recorded: one catalogue lookup and one small read, where Kysely's migrator
 * creates-if-missing its two tables, takes its lock and reads its table in a transaction (at every start of the
 * server and of every command). Anything unexpected answers "no", and the migrator does its full work.
 */
export async function isUpToDate(db: Kysely<any>): Promise<boolean> {
  try {
    const present = await sql<{
      ok: boolean;
    }>`select to_regclass('kysely_migration') is not null as ok`.execute(db);
    if (!present.rows[0]?.ok) return false;
    const done = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const names = new Set(done.rows.map((r) => r.name));
    return Object.keys(migrations).every((name) => names.has(name));
  } catch {
    return false;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  if (await isUpToDate(db)) return;
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'inconnue';
    throw new Error(
      `La migration ${failed} a échoué : ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
