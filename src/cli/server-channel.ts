import type { Config } from '../config.js';
import { CLI_CHANNEL_PATH, readRunningServer } from '../services/operations/server-file.js';
import type { ServerJob, ServerJobResult } from '../services/operations/server-jobs.js';
import { CliError } from './context.js';

/**
 * The CLI's side of the local channel to a running server (embedded database only; with DATABASE_URL every
 * process may write to PostgreSQL itself). Null when no server holds the data folder.
 */
export function runningServerFor(config: Pick<Config, 'databaseUrl' | 'dataDir'>) {
  return config.databaseUrl ? null : readRunningServer(config.dataDir);
}

export async function sendToServer(
  server: { readonly port: number; readonly token: string; readonly pid: number },
  job: ServerJob,
): Promise<ServerJobResult> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${server.port}${CLI_CHANNEL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(job),
      // An import of the whole official list takes seconds on a busy machine, never minutes.
      signal: AbortSignal.timeout(600_000),
    });
  } catch (error) {
    throw new CliError(
      `Le serveur Maillage en cours d’exécution (pid ${server.pid}) tient la base embarquée mais ne répond pas sur le port ${server.port} : ${error instanceof Error ? error.message : error}. Rien n’a été écrit. Réessayez, ou arrêtez le serveur puis relancez la commande.`,
    );
  }
  const body = (await response.json().catch(() => null)) as
    | (ServerJobResult & { message?: string; field?: string | null })
    | null;
  if (!response.ok || !body) {
    const where = body?.field ? `${body.field} : ` : '';
    throw new CliError(
      `Le serveur a refusé la commande (${response.status}) : ${where}${body?.message ?? 'réponse illisible'}`,
    );
  }
  return body;
}
