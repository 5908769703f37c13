import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import type { AppContext } from '../../composition.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportStructures,
} from '../../services/directory/export.service.js';
import { type ImportReport, importStructures } from '../../services/directory/import.service.js';
import type { ServerJobResult } from '../../services/operations/server-jobs.js';
import { CliError, onServerOrHere, withContext } from '../context.js';

/**
 * The official list is a data.gouv.fr dataset whose CSV resource is replaced at each update. Rather than pin one
 * resource id, ask the data.gouv.fr API for the dataset and take its most recently modified CSV resource.
 */
export async function latestDatagouvCsv(
  apiBase: string,
  dataset: string,
): Promise<{ url: string; title: string }> {
  const api = `${apiBase.replace(/\/$/, '')}/api/1/datasets/${encodeURIComponent(dataset)}/`;
  const response = await fetch(api, {
    signal: AbortSignal.timeout(30_000),
    headers: { accept: 'application/json' },
  });
  if (!response.ok)
    throw new CliError(`data.gouv.fr a répondu ${response.status} pour le jeu de données « ${dataset} ».`);
  const body = (await response.json()) as {
    resources?: Array<{ format?: string; url?: string; title?: string; last_modified?: string }>;
  };
  const csv = (body.resources ?? [])
    .filter((r) => r.url && (r.format ?? '').toLowerCase() === 'csv')
    .sort((a, b) => (b.last_modified ?? '').localeCompare(a.last_modified ?? ''));
  const latest = csv[0];
  if (!latest?.url)
    throw new CliError(`Aucune ressource CSV dans le jeu de données « ${dataset} » sur data.gouv.fr.`);
  return { url: latest.url, title: latest.title ?? latest.url };
}

export interface ImportArgs {
  readonly file?: string;
  readonly fromDatagouv?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  /** Draw a progress bar (a terminal, not --json). */
  readonly progress?: boolean;
}

/** The CSV's bytes and a name for the report: a local file, or the current official file on data.gouv.fr. */
export async function readImportSource(
  config: Pick<AppContext['config'], 'datagouvUrl' | 'datagouvDataset'>,
  args: Pick<ImportArgs, 'file' | 'fromDatagouv'>,
): Promise<{ bytes: Uint8Array; source: string }> {
  let bytes: Uint8Array;
  let source: string;
  if (args.fromDatagouv) {
    try {
      const resource = await latestDatagouvCsv(config.datagouvUrl, config.datagouvDataset);
      source = resource.url;
      const response = await fetch(resource.url, { signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new CliError(`data.gouv.fr a répondu ${response.status} pour ${resource.url}.`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(
        `Téléchargement impossible depuis data.gouv.fr : ${e instanceof Error ? e.message : e}`,
      );
    }
  } else {
    if (!args.file) throw new CliError('Indiquez le fichier CSV à importer, ou --from-datagouv.', 2);
    source = basename(args.file);
    bytes = await readFile(args.file).catch((e: NodeJS.ErrnoException) => {
      throw new CliError(
        e.code === 'ENOENT'
          ? `Fichier introuvable : ${args.file}`
          : `Lecture impossible de ${args.file} : ${e.message}`,
      );
    });
  }
  return { bytes, source };
}

export async function runImportStructures(ctx: AppContext, args: ImportArgs): Promise<ImportReport> {
  const { bytes, source } = await readImportSource(ctx.config, args);
  const bar = args.progress
    ? new SingleBar({ format: 'Import {bar} {value}/{total} structures', hideCursor: true })
    : null;
  try {
    const report = await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, {
      source,
      dryRun: args.dryRun,
      onProgress: bar
        ? (done, total) => {
            if (done === 0) bar.start(total, 0);
            else bar.update(done);
          }
        : undefined,
    });
    ctx.locator.invalidate();
    return report;
  } finally {
    bar?.stop();
  }
}

export function formatImportReport(report: ImportReport, dryRun: boolean): string {
  const rejectedRows = new Set(report.rejected.map((r) => r.line)).size;
  const lines = [
    `${dryRun ? 'Simulation (rien n’a été écrit) — ' : ''}${report.created} créée(s), ${report.updated} mise(s) à jour, ${report.unchanged} inchangée(s), ${rejectedRows} ligne(s) rejetée(s), ${report.warnings.length} avertissement(s).`,
  ];
  for (const r of report.rejected) lines.push(`  rejetée  ligne ${r.line} [${r.field}] ${r.message}`);
  for (const w of report.warnings.slice(0, 50))
    lines.push(`  avertissement ligne ${w.line} [${w.field}] ${w.message}`);
  if (report.warnings.length > 50)
    lines.push(`  … et ${report.warnings.length - 50} autres avertissements (--json pour tout voir).`);
  return lines.join('\n');
}

export async function runExportStructures(
  ctx: AppContext,
  format: ExportFormat,
  out?: string,
): Promise<string> {
  const result = await exportStructures(ctx, format);
  if (out) await writeFile(out, result.body);
  return result.body;
}

export function registerDirectoryCommands(program: Command): void {
  const importCmd = program.command('import').description('Importer des données');
  importCmd
    .command('structures')
    .description('Importer la liste officielle des France Services (CSV data.gouv.fr), par id_fs')
    .argument('[fichier]', 'fichier CSV au format officiel')
    .option('--from-datagouv', 'télécharger le fichier officiel en vigueur sur data.gouv.fr')
    .option('--dry-run', 'tout vérifier sans rien écrire')
    .option('--json', 'rapport au format JSON')
    .action(
      async (
        file: string | undefined,
        opts: { fromDatagouv?: boolean; dryRun?: boolean; json?: boolean },
      ) => {
        const report = await onServerOrHere(
          async () => {
            const { loadConfig } = await import('../../config.js');
            const { bytes, source } = await readImportSource(loadConfig(), { ...opts, file });
            const csv = Buffer.from(bytes).toString('base64');
            return { job: 'import-structures', csv, source, dryRun: !!opts.dryRun };
          },
          (result) => (result as Extract<ServerJobResult, { job: 'import-structures' }>).report,
          (ctx) => runImportStructures(ctx, { ...opts, file, progress: !opts.json && process.stderr.isTTY }),
        );
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `${formatImportReport(report, !!opts.dryRun)}\n`,
        );
      },
    );

  const exportCmd = program.command('export').description('Exporter des données');
  exportCmd
    .command('structures')
    .description(
      'Exporter l’annuaire : CSV officiel, GeoJSON, ou schéma des lieux de médiation numérique (lmn)',
    )
    .addOption(new Option('--format <format>', 'format').choices([...EXPORT_FORMATS]).default('csv'))
    .option('--out <fichier>', 'écrire dans ce fichier plutôt que sur la sortie standard')
    .action(async (opts: { format: ExportFormat; out?: string }) => {
      const body = await withContext((ctx) => runExportStructures(ctx, opts.format, opts.out));
      if (!opts.out) process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    });
}
