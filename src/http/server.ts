import type { AddressInfo } from 'node:net';
import { closeContext, openContext } from '../composition.js';
import { loadConfig } from '../config.js';
import { runEscaladeJobs } from '../services/escalade/jobs.js';
import { scheduleRetention } from '../services/operations/retention.js';
import { newChannelToken, removeServerFile, writeServerFile } from '../services/operations/server-file.js';
import { StartupTimings } from '../services/operations/startup-timings.js';
import { startRollupCatchUp } from '../services/pilotage/jobs.js';
import { startRendezvousJobs } from '../services/rendezvous/jobs.js';
import { seedOnFirstStart } from '../services/snapshots/first-start.js';
import { buildApp } from './app.js';
import { cliChannelRoutes } from './routes/cli-channel.routes.js';

/** `npm start`: open the context, serve, and shut down gracefully on SIGINT/SIGTERM. */
const timings = new StartupTimings();
const config = loadConfig();
const ctx = await openContext(config, { timings });
timings.mark('context');
// Empty directory on the first start: the bundled official list (MAILLAGE_SEED=none skips it).
await seedOnFirstStart(ctx).catch((error: unknown) =>
  ctx.logger.error({ err: error }, 'premier démarrage en erreur'),
);
timings.mark('seed');
const app = await buildApp(ctx);
// The embedded database is this process's alone: `maillage` commands hand their writes to it (issue 16).
const channelToken = ctx.database.kind === 'pglite' ? newChannelToken() : null;
if (channelToken) await app.register(cliChannelRoutes(ctx, channelToken));
const stopRetention = scheduleRetention(ctx);

// Escalade (issue 13): reminders and the six-month erasure, every 15 minutes (each claimed once in the database,
// so several instances may run it).
const escaladeTimer = setInterval(() => void runEscaladeJobs(ctx), 15 * 60_000);
escaladeTimer.unref();

// Rendez-vous reminders and contact erasure, every 15 minutes (issue 15).
const rendezvousJobs = startRendezvousJobs(ctx.rendezvous, ctx.logger);

// Pilotage: the months an import marked are rebuilt within 30 s if the import could not (issue 14).
const rollupCatchUp = startRollupCatchUp(ctx.pilotage.rollups, ctx.logger);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    ctx.logger.info({ signal }, 'arrêt en cours');
    if (channelToken) removeServerFile(config.dataDir);
    stopRetention();
    clearInterval(escaladeTimer);
    rendezvousJobs.stop();
    rollupCatchUp.stop();
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await app.close();
      await closeContext(ctx);
      clearTimeout(timer);
      process.exit(0);
    } catch (error) {
      ctx.logger.error({ err: error }, 'arrêt en erreur');
      process.exit(1);
    }
  });
}

timings.mark('app');
// Build the locator's index before the first visitor (and before /ready says so).
await ctx.locator.snapshot();
timings.mark('locator');
await app.listen({ port: config.port, host: config.host });
timings.mark('listen');
if (channelToken) {
  const { port } = app.server.address() as AddressInfo;
  writeServerFile(config.dataDir, { pid: process.pid, port, token: channelToken });
}
ctx.logger.info({ ms: timings.summary() }, 'démarrage : durées par étape (ms)');
