import type { Logger } from 'pino';
import type { RendezvousService } from './rendezvous.service.js';

/**
 * The server's periodic rendez-vous jobs: reminders 48 h ahead and the 30-day erasure of contact
 * details, every 15 minutes (and once at start). Safe with several instances: each reminder is
 * claimed in the database before it is sent. `maillage rdv rappels` and `rdv purge` run the same.
 */
export const JOB_INTERVAL_MS = 15 * 60_000;

export function startRendezvousJobs(
  service: RendezvousService,
  logger: Logger,
  intervalMs = JOB_INTERVAL_MS,
) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const sent = await service.sendReminders();
      const erased = await service.eraseOldContacts();
      if (sent.email + sent.sms + sent.failed + erased > 0)
        logger.info({ sent, erased }, 'rendez-vous : rappels et effacements');
    } catch (error) {
      logger.error({ err: error }, 'rendez-vous : tâche périodique en échec');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  const first = setTimeout(run, 5_000);
  first.unref();
  return {
    stop: () => {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}
