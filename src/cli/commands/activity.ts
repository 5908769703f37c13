import { stat } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import type { StatsReport } from '../../domain/accompagnement/index.js';
import type { ImportRollups } from '../../services/accompagnement/accompagnement.service.js';
import { generateActivityFile } from '../../services/accompagnement/generate.service.js';
import {
  type ActivityImportReport,
  importActivity,
  importRollupsFor,
} from '../../services/accompagnement/import.service.js';
import { runRetention } from '../../services/operations/retention.js';
import { CliError, withContext } from '../context.js';
import { registerPilotageActivityCommands } from './pilotage.js';

/** `maillage activity …`: accompaniments (issue 12). Tests call the run* functions directly. */

export async function runActivityImport(
  ctx: AppContext,
  args: {
    file: string;
    progress?: boolean;
    /** Tests take a small file down the large files' path with 'rebuild_after'. */
    rollups?: ImportRollups;
  },
): Promise<ActivityImportReport> {
  const size = await stat(args.file).then(
    (s) => s.size,
    (e: NodeJS.ErrnoException) => {
      throw new CliError(
        e.code === 'ENOENT' ? `Fichier introuvable : ${args.file}` : `Lecture impossible : ${e.message}`,
      );
    },
  );
  const rollups = args.rollups ?? (await importRollupsFor(args.file));
  const bar = args.progress
    ? new SingleBar({ format: 'Import {bar} {percentage} % | {rows} lignes', hideCursor: true })
    : null;
  bar?.start(size, 0, { rows: 0 });
  let report: ActivityImportReport;
  try {
    report = await importActivity(ctx.accompagnement, args.file, {
      onProgress: (rows, bytesRead) => bar?.update(bytesRead, { rows }),
      rollups,
    });
  } finally {
    bar?.stop();
  }
  // A large file marked the months it touched; their dashboard figures are rebuilt now, before the
  // command says it is done (and by the server within a minute if this process is stopped here).
  if (args.progress && rollups === 'rebuild_after')
    process.stderr.write('Recalcul des chiffres de pilotage des mois importés…\n');
  try {
    await ctx.pilotage.rollups.refreshStale();
  } catch (error) {
    // The records are written and their months stay marked: nothing is lost, the figures follow later.
    ctx.logger.error({ err: error }, 'recalcul des mois importés en échec');
    report.warnings.push({
      line: 0,
      field: 'pilotage',
      message:
        'Accompagnements importés, mais le recalcul des tableaux de bord a échoué : le serveur le refait dans la minute (ou lancez « maillage activity rollup-check »).',
    });
  }
  return report;
}

export function formatActivityReport(r: ActivityImportReport): string {
  const rejectedRows = new Set(r.rejected.map((x) => x.line)).size;
  const lines = [
    `${r.created} créé(s), ${r.updated} mis à jour, ${r.unchanged} inchangé(s), ${rejectedRows} ligne(s) rejetée(s), ${r.warnings.length} avertissement(s).`,
  ];
  for (const x of r.rejected.slice(0, 100))
    lines.push(`  rejetée  ligne ${x.line} [${x.field}] ${x.message}`);
  if (r.rejected.length > 100) lines.push(`  … (--json pour tout voir)`);
  for (const w of r.warnings) lines.push(`  avertissement [${w.field}] ${w.message}`);
  return lines.join('\n');
}

const integer = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw new CliError(`${name} : un entier de ${min} à ${max} est attendu.`, 2);
  return n;
};

export async function runActivityGenerate(
  ctx: AppContext,
  args: { records: number; year: number; seed: number; out: string },
) {
  const now = ctx.clock.now();
  if (args.year < 2019 || args.year > now.getUTCFullYear())
    throw new CliError(`Année hors bornes : de 2019 à ${now.getUTCFullYear()}.`, 2);
  return generateActivityFile(ctx.db, ctx.accompagnement, { ...args, notAfter: now });
}

export const runActivityStats = (
  ctx: AppContext,
  args: { territory?: string; from?: string; to?: string; by?: string },
): Promise<StatsReport> => ctx.pilotage.activityStats(args);

export function formatStats(r: StatsReport): string {
  const lines = [
    `${r.territory}, du ${r.from} au ${r.to} : ${r.total} accompagnement(s), ${r.minutes.total} minutes (moyenne ${r.minutes.mean} min).`,
  ];
  for (const g of r.groups)
    lines.push(`  ${g.key.padEnd(28)} ${String(g.count).padStart(9)}  ${(g.share * 100).toFixed(1)} %`);
  return lines.join('\n');
}

export function registerActivityCommands(program: Command): void {
  const activity = program
    .command('activity')
    .description('Accompagnements : import, données de démonstration, statistiques');
  activity
    .command('import')
    .description('Importer un CSV au format d’échange (upsert par id)')
    .argument(
      '<fichier>',
      'CSV UTF-8, en-tête id,id_fs,debut,duree_min,canal,partenaire,demarche,resultat,tranche_age,commune_usager',
    )
    .option('--json', 'rapport au format JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const report = await withContext((ctx) =>
        runActivityImport(ctx, { file, progress: !opts.json && process.stderr.isTTY }),
      );
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatActivityReport(report)}\n`,
      );
    });
  activity
    .command('generate')
    .description(
      'Écrire un fichier SYNTHÉTIQUE réaliste (démonstrations, mesures) : jamais des chiffres réels',
    )
    .requiredOption('--records <n>', 'nombre d’accompagnements', integer('--records', 1, 50_000_000))
    .requiredOption('--year <yyyy>', 'année', integer('--year', 2019, 2100))
    .option('--seed <s>', 'graine', integer('--seed', 0, 2 ** 31), 1)
    .requiredOption('--out <fichier>', 'fichier CSV à écrire')
    .action(async (opts: { records: number; year: number; seed: number; out: string }) => {
      const r = await withContext((ctx) => runActivityGenerate(ctx, opts));
      process.stdout.write(
        `${r.written} accompagnements synthétiques écrits dans ${opts.out} (${r.structures} structures).\n`,
      );
    });
  activity
    .command('stats')
    .description('Agrégats : --territory FR|reg:XX|dep:XX|structure:<id_fs> --from --to --by …')
    .requiredOption('--territory <t>', 'FR, reg:32, dep:02 ou structure:<id_fs>')
    .requiredOption('--from <date>', 'premier jour (AAAA-MM-JJ, inclus, heure locale)')
    .requiredOption('--to <date>', 'dernier jour (inclus)')
    .option('--by <dimension>', 'partenaire, canal, resultat, mois ou demarche', 'partenaire')
    .option('--json', 'au format JSON')
    .action(async (opts: { territory: string; from: string; to: string; by: string; json?: boolean }) => {
      const r = await withContext((ctx) => runActivityStats(ctx, opts));
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatStats(r)}\n`);
    });
  activity
    .command('purge')
    .description(
      'Effacer les notes privées de plus de 6 mois et les coordonnées des demandes de rappel closes depuis plus de 30 jours',
    )
    .action(async () => {
      const [notes, contacts] = await withContext((ctx) => runRetention(ctx));
      process.stdout.write(`${notes} note(s) privée(s) effacée(s).\n`);
      process.stdout.write(`${contacts} demande(s) de rappel anonymisée(s).\n`);
    });
  registerPilotageActivityCommands(activity);
  const demarche = activity.command('demarche').description('Catalogue des démarches (équipe nationale)');
  demarche
    .command('add')
    .requiredOption('--code <code>', 'ex. caf.bourse')
    .requiredOption('--partenaire <p>', 'partenaire')
    .requiredOption('--label <libellé>', 'libellé')
    .option('--fiche <F1234>', 'fiche service-public.fr')
    .action(async (o: { code: string; partenaire: string; label: string; fiche?: string }) => {
      const d = await withContext((ctx) => ctx.accompagnement.addDemarche({ ...o, ficheId: o.fiche }));
      process.stdout.write(`Démarche ajoutée : ${d.code}\n`);
    });
  demarche
    .command('retire')
    .argument('<code>')
    .action(async (code: string) => {
      await withContext((ctx) => ctx.accompagnement.retireDemarche(code));
      process.stdout.write(`Démarche retirée : ${code} (les accompagnements passés la gardent).\n`);
    });
}
