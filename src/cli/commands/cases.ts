import type { Command } from 'commander';
import { dueFrom } from '../../domain/escalade/due.js';
import { DomainError } from '../../domain/shared/errors.js';
import { CliError, withContext } from '../context.js';

/** `maillage cases …`: escalations to partner référents (issue 13). Tests go through `main()`. */

/** `cases due`: bad input is a usage error (exit code 2), with the option named, never a stack trace. */
export function runDue(opts: { from?: string; businessHours?: string; commune?: string }): { due: string } {
  try {
    return dueFrom({ from: opts.from, businessHours: opts.businessHours, commune: opts.commune });
  } catch (e) {
    if (e instanceof DomainError) throw new CliError(`${e.field} : ${e.message}`, 2);
    throw e;
  }
}

export function registerCasesCommands(program: Command): void {
  const cases = program.command('cases').description('Escalade vers les référents des partenaires');
  cases
    .command('due')
    .description(
      'Échéance en heures ouvrées à une commune (lundi–vendredi hors jours fériés de la commune, 24 h par jour ouvré)',
    )
    .option('--from <iso>', 'instant de départ, ISO 8601 (sans décalage : heure de la commune)')
    .option('--business-hours <n>', 'nombre d’heures ouvrées (ex. 72)')
    .option('--commune <insee>', 'code INSEE de la commune de la structure')
    .option('--json', 'réponse en JSON : {"due": "…"}')
    .action((opts: { from?: string; businessHours?: string; commune?: string; json?: boolean }) => {
      const r = runDue(opts);
      process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `Échéance : ${r.due}\n`);
    });
  cases
    .command('remind')
    .description(
      'Envoie les rappels dus : au référent après 48 h ouvrées sans réponse, au coordinateur en cas de retard, les récapitulatifs quotidiens (chaque rappel une seule fois)',
    )
    .option('--json', 'rapport en JSON')
    .action(async (opts: { json?: boolean }) => {
      const { runReminders } = await import('../../services/escalade/jobs.js');
      const r = await withContext((ctx) => runReminders(ctx));
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `${r.reminders} rappel(s) à 48 h, ${r.lateReports} signalement(s) de retard, ${r.digests} récapitulatif(s) ; ${r.mails} courriel(s).\n`,
      );
    });
  cases
    .command('purge')
    .description(
      'Efface l’identité, les messages, les notes et les pièces des dossiers clos depuis plus de six mois (les chiffres restent)',
    )
    .option('--json', 'rapport en JSON')
    .action(async (opts: { json?: boolean }) => {
      const { purgeClosedCases } = await import('../../services/escalade/jobs.js');
      const r = await withContext((ctx) => purgeClosedCases(ctx));
      const out = { erased: r.erased, files: r.files, cutoff: r.cutoff.toISOString() };
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(out)}\n`
          : `${r.erased} dossier(s) clos avant le ${out.cutoff.slice(0, 10)} effacé(s), ${r.files} pièce(s) supprimée(s).\n`,
      );
    });
}
