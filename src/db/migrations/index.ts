import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely';
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
import * as mPREFIX01 from './PREFIX01_labelling_renewal.js';

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
  PREFIX01_labelling_renewal: mPREFIX01,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
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
