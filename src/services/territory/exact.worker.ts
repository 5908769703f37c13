/**
 * Worker thread for the exact MCLP: HiGHS is synchronous and can run for seconds, so it never runs
 * on the request thread. Loads HiGHS once, then answers one instance per message.
 */
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../../domain/shared/errors.js';
import { loadHighs, solveExact } from '../../domain/territory/mclp-exact.js';
import type { ExactJob, ExactReply } from './exact-solver.js';

parentPort?.on('message', async (job: ExactJob) => {
  let reply: ExactReply;
  try {
    const solver = await loadHighs();
    const r = solveExact(
      solver,
      { nDemand: job.nDemand, nCand: job.nCand, weight: job.weight, offsets: job.offsets, items: job.items },
      job.k,
      job.limits,
    );
    reply = { id: job.id, ok: true, result: r };
  } catch (e) {
    reply = {
      id: job.id,
      ok: false,
      error:
        e instanceof DomainError
          ? { code: e.code, message: e.message, field: e.field ?? null }
          : {
              code: 'unavailable',
              message: 'Le solveur exact a échoué ; utilisez l’heuristique.',
              field: 'exact',
            },
    };
  }
  parentPort?.postMessage(reply);
});
