import type { AppContext } from '../../composition.js';

/**
 * Personal data kept only as long as needed: every erasure the platform owes, in one place.
 * Run by `maillage activity purge` and, while the server runs, every hour (each erasure is idempotent,
 * so several app instances may run it at once).
 */
export async function runRetention(ctx: AppContext): Promise<[notes: number, contacts: number]> {
  const notes = await ctx.accompagnement.purgeNotes();
  const contacts = await ctx.rappels.purgeContacts();
  return [notes, contacts];
}

/** Starts the hourly erasure; returns the function that stops it. The first run is a minute after start. */
export function scheduleRetention(ctx: AppContext, everyMs = 3_600_000): () => void {
  const run = () =>
    runRetention(ctx).catch((error: unknown) =>
      ctx.logger.error({ err: error }, 'effacement programmé en erreur'),
    );
  const first = setTimeout(run, 60_000).unref();
  const timer = setInterval(run, everyMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
