import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import type { PrecheckReport } from '../../domain/labelling/index.js';
import { LabellingService } from '../../services/labelling/labelling.service.js';
import { CliError, withContext } from '../context.js';

export interface PrecheckArgs {
  readonly structure?: string;
  readonly departement?: string;
}

/** The automatic pre-checks over the directory: `[{idFs, criteria, weeklyHours, openDays}]`. */
export async function runPrecheck(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config'>,
  args: PrecheckArgs,
): Promise<PrecheckReport[]> {
  const service = new LabellingService(ctx);
  const rows = await service.precheckDirectory({
    structure: args.structure ?? null,
    departement: args.departement ?? null,
  });
  if (args.structure && rows.length === 0) throw new CliError(`Structure introuvable : ${args.structure}`);
  return rows.map((r) => r.report);
}

const SYMBOL = { ok: '✓', failed: '✗', unknown: '?' } as const;

export function formatPrecheck(reports: readonly PrecheckReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const failed = r.criteria.filter((c) => c.status === 'failed').length;
    lines.push(
      `${r.idFs} — ${r.weeklyHours} h/semaine sur ${r.openDays} jour(s) — ${failed === 0 ? 'aucun échec' : `${failed} échec(s)`}`,
    );
    for (const c of r.criteria) lines.push(`  ${SYMBOL[c.status]} ${c.code} ${c.detail}`);
  }
  const failing = reports.filter((r) => r.criteria.some((c) => c.status === 'failed')).length;
  lines.push(`${reports.length} structure(s) contrôlée(s), ${failing} avec au moins un critère en échec.`);
  return `${lines.join('\n')}\n`;
}

export function registerLabellingCommands(program: Command): void {
  const labelling = program
    .command('labelling')
    .description('Labellisation France Services : pré-contrôles, audits');
  labelling
    .command('precheck')
    .description(
      'Pré-contrôles automatiques (horaires, agents, partenaires, itinérance) sur les structures de l’annuaire',
    )
    .option('--structure <id>', 'une seule structure (id_fs ou identifiant)')
    .option('--departement <code>', 'les structures d’un département')
    .option('--json', 'sortie JSON : [{idFs, criteria: [{code, status, detail}], weeklyHours, openDays}]')
    .action(async (opts: PrecheckArgs & { json?: boolean }) => {
      const reports = await withContext((ctx) => runPrecheck(ctx, opts));
      process.stdout.write(opts.json ? `${JSON.stringify(reports, null, 2)}\n` : formatPrecheck(reports));
    });
}
