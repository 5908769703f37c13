import type { Logger } from 'pino';
import type { PilotageRollups } from './rollups.service.js';

/**
 * The server's catch-up of the months an import marked (docs/adr/0014-pilotage.md): every 30 s, so
 * the figures of an import stopped before its own catch-up are at most a minute behind. Safe with
 * several instances: each month is taken under its exclusive lock and its mark removed in the same
 * transaction, so a month is rebuilt once.
 */
export const CATCH_UP_INTERVAL_MS = 30_000;

export function startRollupCatchUp(
  rollups: PilotageRollups,
  logger: Logger,
  intervalMs = CATCH_UP_INTERVAL_MS,
) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await rollups.refreshStale();
    } catch (error) {
      logger.error({ err: error }, 'pilotage : recalcul des mois importés en échec');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}
