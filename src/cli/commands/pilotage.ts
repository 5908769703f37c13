import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
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

export function registerPilotageActivityCommands(activity: Command): void {
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
