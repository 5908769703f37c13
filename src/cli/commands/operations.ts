import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema/index.js';
import type { ServerJobResult } from '../../services/operations/server-jobs.js';
import { CliError, onServerOrHere } from '../context.js';

/** A restore reads the whole archive in memory: far above a national database (tens of MB), far below harm. */
export const RESTORE_MAX_BYTES = 2 * 1024 * 1024 * 1024;

/** Unpacked, the folder is a few times the archive: bounds the work a crafted archive (a gzip bomb) causes. */
const RESTORE_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024 - 1;

const notABackup = (file: string) =>
  new CliError(`${file} n’est pas une sauvegarde Maillage (archive tar.gz faite par « maillage backup »).`);

/** Writes the archive beside its destination first, then renames: a failed backup never leaves half a file. */
async function writeArchive(file: string, archive: Uint8Array): Promise<string> {
  const target = resolve(file);
  const temporary = `${target}.${process.pid}.partiel`;
  await writeFile(temporary, archive, { mode: 0o600 });
  await rename(temporary, target);
  return `Sauvegarde écrite : ${target} (${(archive.length / 1_048_576).toFixed(1)} Mo, archive tar.gz du dossier PGlite).\n`;
}

/** `maillage backup <file>` on an open embedded database (the CLI's own, or the server's through the channel). */
export async function runBackup(database: Database, file: string): Promise<string> {
  if (!database.dump) throw postgresRefusal('backup');
  return writeArchive(file, await database.dump());
}

function postgresRefusal(what: 'backup' | 'restore'): CliError {
  return new CliError(
    what === 'backup'
      ? 'Avec DATABASE_URL (PostgreSQL), sauvegardez avec pg_dump : voir docs/DEPLOYMENT.md.'
      : 'Avec DATABASE_URL (PostgreSQL), restaurez avec pg_restore : voir docs/DEPLOYMENT.md.',
    2,
  );
}

export interface RestoreReport {
  readonly structures: number;
  /** Where the folder that was replaced now lies, kept until the deployer removes it; null if there was none. */
  readonly previous: string | null;
}

/**
 * `maillage restore <file>`: replaces the embedded database with a backup. Takes the data folder's lock
 * (so it refuses while the server or another command holds it), checks the archive, keeps the current
 * folder aside rather than deleting it, and opens the restored one once to check it before saying so.
 */
export async function runRestore(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  file: string,
  now: Date = new Date(),
): Promise<RestoreReport> {
  if (config.databaseUrl) throw postgresRefusal('restore');
  const [
    { lockDataDir },
    { PGLITE_OPTIONS, pgliteDir },
    { PGlite },
    { Kysely, PostgresDialect },
    { PGlitePool },
    { countStructures },
  ] = await Promise.all([
    import('../../db/data-dir-lock.js'),
    import('../../db/database.js'),
    import('@electric-sql/pglite'),
    import('kysely'),
    import('../../db/pglite-pool.js'),
    import('../../db/repositories/directory.repository.js'),
  ]);
  const archive = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(
      e.code === 'ENOENT' ? `Fichier introuvable : ${file}` : `Lecture impossible de ${file} : ${e.message}`,
    );
  });
  if (archive.length > RESTORE_MAX_BYTES)
    throw new CliError(`${file} dépasse 2 Go : ce n’est pas une sauvegarde Maillage.`);
  if (archive.length < 18 || archive[0] !== 0x1f || archive[1] !== 0x8b) throw notABackup(file);
  // Check the whole archive before PGlite reads it: a corrupt one would fail inside its stream, out of reach.
  const { gunzipSync } = await import('node:zlib');
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: RESTORE_MAX_UNPACKED_BYTES });
  } catch {
    throw notABackup(file);
  }
  if (!tar.includes('PG_VERSION')) throw notABackup(file);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(config.dataDir, { recursive: true });
  const lock = lockDataDir(config.dataDir, `commande « maillage restore »`);
  const target = pgliteDir(config.dataDir);
  const previous =
    existsSync(target) && readdirSync(target).length > 0
      ? `${target}.avant-restauration-${now.toISOString().replace(/[:.]/g, '-')}`
      : null;
  try {
    if (previous) renameSync(target, previous);
    else rmSync(target, { recursive: true, force: true });
    let structures: number;
    try {
      const pglite = await PGlite.create(target, { ...PGLITE_OPTIONS, loadDataDir: new Blob([archive]) });
      const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
      try {
        structures = await countStructures(db);
      } finally {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      }
    } catch (error) {
      // Put the previous folder back: a failed restore changes nothing.
      rmSync(target, { recursive: true, force: true });
      if (previous) renameSync(previous, target);
      throw new CliError(
        `Restauration impossible, la base n’a pas été modifiée : ${error instanceof Error ? error.message : error}`,
      );
    }
    return { structures, previous };
  } finally {
    lock.release();
  }
}

export function registerOperationsCommands(program: Command): void {
  program
    .command('backup <fichier>')
    .description('Sauvegarder la base embarquée (PGlite) dans un fichier .tar.gz, même serveur en marche')
    .action(async (file: string) => {
      process.stdout.write(
        await onServerOrHere(
          async () => {
            const { loadConfig } = await import('../../config.js');
            if (loadConfig().databaseUrl) throw postgresRefusal('backup');
            return { job: 'backup' };
          },
          (result) =>
            writeArchive(
              file,
              Buffer.from((result as Extract<ServerJobResult, { job: 'backup' }>).archive, 'base64'),
            ),
          (ctx) => runBackup(ctx.database, file),
        ),
      );
    });
  program
    .command('restore <fichier>')
    .description('Restaurer la base embarquée (PGlite) depuis une sauvegarde ; serveur arrêté')
    .action(async (file: string) => {
      const { loadConfig } = await import('../../config.js');
      const { runningServerFor } = await import('../server-channel.js');
      const config = loadConfig();
      const server = runningServerFor(config);
      if (server)
        throw new CliError(
          `Le serveur Maillage (pid ${server.pid}) utilise la base embarquée : arrêtez-le avant de restaurer une sauvegarde, puis relancez-le.`,
          75,
        );
      const report = await runRestore(config, file);
      process.stdout.write(
        `Base restaurée depuis ${resolve(file)} : ${report.structures} structure(s).\n` +
          (report.previous
            ? `L’ancienne base est conservée dans ${report.previous} ; supprimez-la quand tout est vérifié.\n`
            : ''),
      );
    });
}
