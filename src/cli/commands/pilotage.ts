import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { openDataCsv } from '../../domain/pilotage/index.js';
import type { RollupCheck } from '../../services/pilotage/rollups.service.js';
import { CliError, withContext } from '../context.js';

/** `maillage activity rollup-check|rollup-rebuild|opendata` (issue 14). Tests call the run* functions. */

export const runRollupCheck = (ctx: AppContext): Promise<RollupCheck> => ctx.pilotage.rollups.check();
export const runRollupRebuild = (ctx: AppContext) => ctx.pilotage.rollups.rebuild();

export function formatRollupCheck(r: RollupCheck): string {
  if (r.ok) return `Cumuls exacts : ${r.records} accompagnement(s) sur ${r.months} mois, aucun écart.`;
  const lines = [`${r.differenceCount} écart(s) entre les cumuls et les accompagnements :`];
  for (const d of r.differences.slice(0, 50))
    lines.push(
      `  ${d.table} ${d.key} : attendu ${d.attendu ? `${d.attendu.n} (${d.attendu.minutes} min)` : 'aucune ligne'}, trouvé ${d.trouve ? `${d.trouve.n} (${d.trouve.minutes} min)` : 'aucune ligne'}`,
    );
  if (r.differenceCount > 50) lines.push('  … (--json pour les 1 000 premiers)');
  lines.push('Reconstruire : npx maillage activity rollup-rebuild');
  return lines.join('\n');
}

export interface OpenDataArgs {
  readonly period?: string;
  readonly by?: string;
  readonly threshold?: string;
  readonly format?: string;
}

/**
 * `activity opendata`: the issue's exact JSON shape (or CSV) on stdout; which cells were hidden for
 * the secondary reason goes to `report` (stderr), so stdout stays the file.
 */
export async function runOpenData(
  ctx: AppContext,
  args: OpenDataArgs,
): Promise<{ output: string; report: string }> {
  const format = args.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new CliError('--format : json ou csv.', 2);
  const r = await ctx.pilotage.openData(args);
  const report = [
    `${r.primary} case(s) masquée(s) (moins de ${r.table.threshold}), ${r.secondary.length} masquée(s) par secret secondaire${r.secondary.length ? ' :' : '.'}`,
    ...r.secondary.map((c) => `  secret secondaire : ${c.departement} × ${c.colonne}`),
  ].join('\n');
  return {
    output: format === 'json' ? `${JSON.stringify(r.table, null, 2)}\n` : openDataCsv(r.table),
    report,
  };
}

export function registerPilotageActivityCommands(activity: Command): void {
  activity
    .command('opendata')
    .description('Données ouvertes d’un mois sous secret statistique (département × partenaire ou canal)')
    .requiredOption('--period <AAAA-MM>', 'mois, ex. 2026-03')
    .requiredOption('--by <dimension>', 'partenaire ou canal')
    .option('--threshold <n>', 'seuil du secret (défaut : MAILLAGE_SECRET_THRESHOLD, 11)')
    .option('--format <f>', 'json ou csv', 'json')
    .action(async (opts: OpenDataArgs) => {
      const r = await withContext((ctx) => runOpenData(ctx, opts));
      process.stdout.write(r.output);
      process.stderr.write(`${r.report}\n`);
    });
  activity
    .command('rollup-check')
    .description('Vérifier que les cumuls de pilotage égalent les comptes bruts (code 1 sinon)')
    .option('--json', 'au format JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await withContext(runRollupCheck);
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatRollupCheck(r)}\n`);
      if (!r.ok) throw new CliError(`${r.differenceCount} écart(s) dans les cumuls de pilotage.`, 1);
    });
  activity
    .command('rollup-rebuild')
    .description('Reconstruire les cumuls de pilotage depuis les accompagnements')
    .action(async () => {
      const r = await withContext(runRollupRebuild);
      process.stdout.write(
        `Cumuls reconstruits : ${r.records} accompagnement(s), ${r.months} mois, ${r.rows} ligne(s).\n`,
      );
    });
}
