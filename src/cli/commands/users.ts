import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { createAdmin, issueAccessLink, purgeUsers } from '../../services/accounts/users.service.js';
import type { ServerJobResult } from '../../services/operations/server-jobs.js';
import { onServerOrHere, withContext } from '../context.js';

/** `maillage users create-admin <email>`: a national administrator and a one-time link to set the password. */
export async function runCreateAdmin(ctx: AppContext, email: string): Promise<string> {
  const { link } = await createAdmin(ctx, email);
  return createAdminMessage(email, link);
}

function createAdminMessage(email: string, link: string): string {
  return `Compte administrateur national créé pour ${email.trim().toLowerCase()}.\nLien à usage unique pour choisir le mot de passe (valable 7 jours) :\n  ${link}\n`;
}

/** `maillage users lien <email>`: a fresh invitation or reset link, for a server without SMTP. */
export async function runAccessLink(ctx: AppContext, email: string): Promise<string> {
  const { link, kind } = await issueAccessLink(ctx, email);
  return `${kind === 'reset' ? 'Lien de réinitialisation (valable 1 h' : 'Lien d’invitation (valable 7 jours'}, à usage unique) à remettre à ${email.trim().toLowerCase()} seulement :\n  ${link}\n`;
}

/** `maillage users purge`: deletes accounts deactivated for longer than MAILLAGE_ACCOUNT_RETENTION_DAYS. */
export async function runPurge(ctx: AppContext): Promise<{ purged: number; cutoff: string; traces: number }> {
  const r = await purgeUsers(ctx);
  return { purged: r.purged, cutoff: r.cutoff.toISOString(), traces: r.traces };
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('Comptes de l’espace France Services');
  users
    .command('create-admin <email>')
    .description(
      'Crée un administrateur national et affiche un lien à usage unique pour choisir son mot de passe',
    )
    .action(async (email: string) => {
      process.stdout.write(
        await onServerOrHere(
          async () => ({ job: 'create-admin', email }),
          (result) => {
            const { link } = result as Extract<ServerJobResult, { job: 'create-admin' }>;
            return createAdminMessage(email, link);
          },
          (ctx) => runCreateAdmin(ctx, email),
        ),
      );
    });
  users
    .command('lien <email>')
    .description(
      'Affiche un nouveau lien personnel (invitation, ou réinitialisation du mot de passe) à remettre à la personne, quand aucun serveur SMTP n’est configuré',
    )
    .action(async (email: string) => {
      process.stdout.write(await withContext((ctx) => runAccessLink(ctx, email)));
    });
  users
    .command('purge')
    .description(
      'Supprime les comptes désactivés depuis plus que la durée de conservation (MAILLAGE_ACCOUNT_RETENTION_DAYS)',
    )
    .option('--json', 'rapport en JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await withContext((ctx) => runPurge(ctx));
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `${r.purged} compte(s) désactivé(s) avant le ${r.cutoff.slice(0, 10)} supprimé(s) ; ${r.traces} trace(s) de connexion expirée(s) effacée(s).\n`,
      );
    });
}
