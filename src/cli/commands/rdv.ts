import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { withContext } from '../context.js';

/** `maillage rdv …`: the rendez-vous jobs (issue 15). Tests call the run* functions directly. */

export async function runRdvReminders(ctx: AppContext) {
  return ctx.rendezvous.sendReminders();
}

export async function runRdvPurge(ctx: AppContext): Promise<number> {
  return ctx.rendezvous.eraseOldContacts();
}

export function registerRdvCommands(program: Command): void {
  const rdv = program.command('rdv').description('Rendez-vous : rappels, effacement des coordonnées');
  rdv
    .command('rappels')
    .description('Envoyer les rappels des rendez-vous des prochaines 48 h (une seule fois chacun)')
    .option('--json', 'sortie JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withContext(runRdvReminders);
      process.stdout.write(
        o.json
          ? `${JSON.stringify(r)}\n`
          : `${r.email} rappel(s) par courriel, ${r.sms} par SMS, ${r.failed} échec(s).\n`,
      );
    });
  rdv
    .command('purge')
    .description('Effacer les coordonnées des personnes 30 jours après leur rendez-vous')
    .action(async () => {
      const n = await withContext(runRdvPurge);
      process.stdout.write(`${n} rendez-vous dont les coordonnées ont été effacées.\n`);
    });
}
