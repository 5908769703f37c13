import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import {
  type CoveringInstance,
  checkExactSize,
  DEFAULT_EXACT_LIMITS,
  type ExactLimits,
  type ExactResult,
} from '../../domain/territory/index.js';

export interface ExactJob {
  id: number;
  nDemand: number;
  nCand: number;
  weight: Float64Array;
  offsets: Int32Array;
  items: Int32Array;
  k: number;
  limits: ExactLimits;
}

export type ExactReply =
  | { id: number; ok: true; result: ExactResult }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; field: string | null } };

/**
 * Runs HiGHS in one worker thread, one instance at a time. The instance is checked against the size
 * limits before it leaves the request thread; a worker that outlives the time limit (plus a grace
 * period for loading) is terminated and the request answered with a clear 503.
 */
export class ExactSolver {
  private worker: Worker | null = null;
  private busy = false;
  private nextId = 1;

  constructor(
    readonly limits: ExactLimits = DEFAULT_EXACT_LIMITS,
    private readonly graceMs = 10_000,
  ) {}

  private spawn(): Worker {
    if (!this.worker) {
      // Compiled (dist/, `npm start`): the worker is plain JavaScript beside this file. From the TypeScript
      // sources (vitest, `npm run dev`), register tsx's loader in the worker first (an `--import tsx`
      // execArgv is not honoured by Node 20 workers); tsx is then a development dependency.
      const compiled = import.meta.url.endsWith('.js');
      const entry = new URL(compiled ? './exact.worker.js' : './exact.worker.ts', import.meta.url).href;
      let boot = `import(${JSON.stringify(entry)})`;
      if (!compiled) {
        const tsx = pathToFileURL(
          join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
        ).href;
        boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return ${boot}; })`;
      }
      const worker = new Worker(boot, { eval: true });
      worker.unref();
      worker.on('error', () => {
        if (this.worker === worker) this.worker = null;
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = null;
      });
      this.worker = worker;
    }
    return this.worker;
  }

  async solve(instance: CoveringInstance, k: number): Promise<ExactResult> {
    checkExactSize(instance, this.limits);
    if (this.busy) {
      throw new DomainError(
        'rate_limited',
        'Une résolution exacte est déjà en cours ; réessayez dans un instant ou utilisez l’heuristique.',
        'exact',
      );
    }
    this.busy = true;
    const worker = this.spawn();
    const id = this.nextId++;
    try {
      return await new Promise<ExactResult>((resolve, reject) => {
        const timer = setTimeout(
          () => {
            cleanup();
            void worker.terminate();
            if (this.worker === worker) this.worker = null;
            reject(
              new DomainError(
                'unavailable',
                `Le solveur exact n’a pas répondu en ${this.limits.timeLimitSeconds} s ; le résultat de l’heuristique reste valable.`,
                'exact',
              ),
            );
          },
          this.limits.timeLimitSeconds * 1000 + this.graceMs,
        );
        const onMessage = (reply: ExactReply) => {
          if (reply.id !== id) return;
          cleanup();
          if (reply.ok) resolve(reply.result);
          else reject(new DomainError(reply.error.code, reply.error.message, reply.error.field ?? undefined));
        };
        const onExit = () => {
          cleanup();
          reject(
            new DomainError(
              'unavailable',
              'Le solveur exact s’est arrêté ; utilisez l’heuristique.',
              'exact',
            ),
          );
        };
        const cleanup = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('exit', onExit);
        const job: ExactJob = {
          id,
          nDemand: instance.nDemand,
          nCand: instance.nCand,
          weight: instance.weight,
          offsets: instance.offsets,
          items: instance.items,
          k,
          limits: this.limits,
        };
        worker.postMessage(job);
      });
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
