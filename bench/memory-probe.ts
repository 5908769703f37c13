/**
 * Preloaded into the server by the soak proof only (`node --import ./bench/memory-probe.ts`): appends the
 * process's memory to MAILLAGE_MEMORY_PROBE every MAILLAGE_MEMORY_PROBE_MS. Not part of the application.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.MAILLAGE_MEMORY_PROBE;
const every = Number(process.env.MAILLAGE_MEMORY_PROBE_MS ?? 2_000);
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`,
    );
  }, every).unref();
}
