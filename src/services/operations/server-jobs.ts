import type { AppContext } from '../../composition.js';
import { DomainError, invalid } from '../../domain/shared/errors.js';
import { createAdmin } from '../accounts/users.service.js';
import { type ImportReport, importStructures } from '../directory/import.service.js';

/**
 * The write commands a running server performs on behalf of the CLI (see src/cli/server-channel.ts):
 * with the embedded database, the server is the only process allowed to open it, so `maillage import
 * structures` or `users create-admin` hand their work here, and the server's own caches follow at once.
 */
export type ServerJob =
  | {
      readonly job: 'import-structures';
      /** The CSV file's bytes, base64 (the encoding is detected by the import, as from a file). */
      readonly csv: string;
      readonly source: string;
      readonly dryRun: boolean;
    }
  | { readonly job: 'create-admin'; readonly email: string }
  | { readonly job: 'backup' };

export type ServerJobResult =
  | { readonly job: 'import-structures'; readonly report: ImportReport }
  | { readonly job: 'create-admin'; readonly email: string; readonly link: string }
  /** The gzipped tarball of the PGlite folder, base64. */
  | { readonly job: 'backup'; readonly archive: string };

/** Largest official CSV accepted through the channel (the 2024 file is 1.2 MB). */
export const SERVER_JOB_MAX_CSV_BYTES = 20 * 1024 * 1024;

export async function runServerJob(ctx: AppContext, job: ServerJob): Promise<ServerJobResult> {
  switch (job.job) {
    case 'import-structures': {
      const bytes = Buffer.from(job.csv, 'base64');
      if (bytes.length === 0) throw invalid('csv', 'Le fichier CSV est vide.');
      if (bytes.length > SERVER_JOB_MAX_CSV_BYTES)
        throw invalid('csv', 'Le fichier CSV dépasse 20 Mo : ce n’est pas la liste officielle.');
      const report = await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, {
        source: job.source,
        dryRun: job.dryRun,
      });
      if (!job.dryRun) ctx.locator.invalidate();
      ctx.logger.info(
        { source: job.source, dryRun: job.dryRun, created: report.created, updated: report.updated },
        'import des structures demandé par la ligne de commande',
      );
      return { job: job.job, report };
    }
    case 'create-admin': {
      const { link } = await createAdmin(ctx, job.email);
      ctx.logger.info('administrateur national créé par la ligne de commande');
      return { job: job.job, email: job.email.trim().toLowerCase(), link };
    }
    case 'backup': {
      if (!ctx.database.dump)
        throw new DomainError('unsupported', 'Sauvegarde : utilisez pg_dump pour PostgreSQL.');
      return { job: job.job, archive: Buffer.from(await ctx.database.dump()).toString('base64') };
    }
  }
}
