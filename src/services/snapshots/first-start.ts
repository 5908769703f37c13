/**
 * First start: with a brand-new directory, load the bundled snapshot of the official list, so that
 * `npm ci && npm start` serves the real network with nothing else configured. The reference
 * geography needs no copy: it is read from the reference folder (MAILLAGE_REF_DIR, or the bundled
 * snapshots/), so a later `ref sync` or MAILLAGE_REF_DIR takes effect at the next start.
 */
import type { AppContext } from '../../composition.js';
import { isDirectoryPristine } from '../../db/repositories/directory.repository.js';
import { importStructures } from '../directory/import.service.js';
import { readDataFile } from './data-file.js';
import { BUNDLED_SNAPSHOTS, SNAPSHOT_STRUCTURES } from './snapshot-files.js';

export type SeedOutcome =
  | { readonly seeded: true; readonly created: number; readonly rejected: number; readonly warnings: number }
  | { readonly seeded: false; readonly reason: 'disabled' | 'not-empty' | 'no-snapshot' };

/** Progress is logged every this many rows (about ten lines for the whole list). */
const PROGRESS_EVERY = 300;

export async function seedOnFirstStart(
  ctx: Pick<AppContext, 'config' | 'db' | 'geography' | 'locator' | 'logger' | 'territory'>,
  snapshotDir: string = BUNDLED_SNAPSHOTS,
): Promise<SeedOutcome> {
  const log = ctx.logger;
  if (ctx.config.seed === 'none') {
    log.info('premier démarrage : MAILLAGE_SEED=none, aucun instantané chargé');
    return { seeded: false, reason: 'disabled' };
  }
  if (!(await isDirectoryPristine(ctx.db))) return { seeded: false, reason: 'not-empty' };
  const file = await readDataFile(snapshotDir, SNAPSHOT_STRUCTURES);
  if (!file) {
    log.warn({ snapshotDir }, 'premier démarrage : instantané des structures introuvable, annuaire vide');
    return { seeded: false, reason: 'no-snapshot' };
  }
  log.info({ file: file.path }, 'premier démarrage : chargement de la liste officielle des structures');
  let next = PROGRESS_EVERY;
  const report = await importStructures(
    { db: ctx.db, communes: ctx.geography.communes },
    Buffer.from(file.text, 'utf8'),
    {
      source: `instantané ${SNAPSHOT_STRUCTURES} (snapshots/)`,
      onProgress: (done, total) => {
        if (done >= next || done === total) {
          log.info({ done, total }, 'premier démarrage : structures');
          next = done + PROGRESS_EVERY;
        }
      },
    },
  );
  ctx.locator.invalidate();
  log.info(
    { created: report.created, rejected: report.rejected.length, warnings: report.warnings.length },
    'premier démarrage : liste officielle chargée',
  );
  log.info({ refDir: ctx.config.refDir }, 'premier démarrage : lecture du référentiel géographique');
  const ref = await ctx.territory.reference().catch((e: unknown) => {
    log.warn({ err: e instanceof Error ? e.message : String(e) }, 'référentiel indisponible');
    return null;
  });
  if (ref) log.info({ source: ref.source, files: ref.files.length }, 'premier démarrage : référentiel prêt');
  return {
    seeded: true,
    created: report.created,
    rejected: new Set(report.rejected.map((r) => r.line)).size,
    warnings: report.warnings.length,
  };
}
