import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { type PrecheckReport, REFERENTIEL_2025_06 } from '../../domain/labelling/index.js';
import { CliError, withContext } from '../context.js';

export interface PrecheckArgs {
  readonly structure?: string;
  readonly departement?: string;
}

/** The automatic pre-checks over the directory: `[{idFs, criteria, weeklyHours, openDays}]`. */
export async function runPrecheck(
  ctx: Pick<AppContext, 'labelling'>,
  args: PrecheckArgs,
): Promise<PrecheckReport[]> {
  const service = ctx.labelling;
  const rows = await service.monitoring.precheckDirectory({
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

/** Labelled structures whose periodic audit is due within `horizon` days or overdue (cycle: MAILLAGE_AUDIT_CYCLE_MONTHS). */
export async function runDueAudits(
  ctx: Pick<AppContext, 'labelling'>,
  args: { departement?: string; horizon?: number },
) {
  const service = ctx.labelling;
  const national = {
    id: '00000000-0000-0000-0000-000000000000',
    role: 'national',
    departement: null,
    structureIds: [],
  } as const;
  const due = await service.monitoring.dueAudits(national, args.departement ?? null, args.horizon ?? 60);
  return due.map((s) => ({
    idFs: s.id_fs,
    name: s.name,
    departement: s.departement,
    labelledOn: s.labelled_on,
    dueOn: s.dueOn,
    daysOverdue: s.daysOverdue,
    overdue: s.overdue,
  }));
}

/**
 * Publishes the référentiel shipped with the code, by decision of whoever runs it. It is a
 * transcription of the June 2025 charte, to check against the official text; the message says so.
 */
export async function runPublishReferentiel(ctx: Pick<AppContext, 'labelling'>): Promise<string> {
  const ref = await ctx.labelling.referentiels.publishShipped();
  const warning =
    'Attention : ce référentiel est une transcription des descriptions publiques de la charte France Services (arrêté de juin 2025) ; vérifiez-le contre le texte officiel avant une campagne réelle.';
  if (!ref) return `Le référentiel ${REFERENTIEL_2025_06.version} est déjà publié : rien n’a changé.\n`;
  return `Référentiel ${ref.version} publié (${ref.criteria.length} critères) : ${ref.title}.\n${warning}\nSource : ${ref.source}\n`;
}

export function registerLabellingCommands(program: Command): void {
  const labelling = program
    .command('labelling')
    .description('Labellisation France Services : référentiel, pré-contrôles, audits');
  labelling
    .command('publish-referentiel')
    .description(
      `Publie le référentiel ${REFERENTIEL_2025_06.version} livré avec le code (transcription de la charte de juin 2025, à vérifier contre le texte officiel)`,
    )
    .action(async () => {
      process.stdout.write(await withContext((ctx) => runPublishReferentiel(ctx)));
    });
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
  labelling
    .command('due-audits')
    .description('Audits périodiques dus ou en retard (cycle MAILLAGE_AUDIT_CYCLE_MONTHS)')
    .option('--departement <code>', 'un seul département')
    .option('--horizon <jours>', 'inclure les audits dus dans ce nombre de jours', '60')
    .option('--json', 'sortie JSON')
    .action(async (opts: { departement?: string; horizon: string; json?: boolean }) => {
      const horizon = Number(opts.horizon);
      if (!Number.isInteger(horizon) || horizon < 0 || horizon > 3650)
        throw new CliError('--horizon : nombre de jours entre 0 et 3650.', 2);
      const due = await withContext((ctx) => runDueAudits(ctx, { departement: opts.departement, horizon }));
      if (opts.json) process.stdout.write(`${JSON.stringify(due, null, 2)}\n`);
      else {
        for (const d of due)
          process.stdout.write(
            `${d.idFs} ${d.name} (${d.departement}) — échéance ${d.dueOn}${d.overdue ? `, en retard de ${d.daysOverdue} jour(s)` : ''}\n`,
          );
        process.stdout.write(`${due.length} audit(s) à prévoir.\n`);
      }
    });
}
