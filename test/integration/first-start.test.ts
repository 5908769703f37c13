import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext, openContext } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { fixedClock } from '../../src/domain/shared/time.js';
import { type App, buildApp } from '../../src/http/app.js';
import { seedOnFirstStart } from '../../src/services/snapshots/first-start.js';
import { freshDatabase } from '../support/database.js';

/**
 * A fresh clone with nothing configured: an empty database, the default configuration (no
 * MAILLAGE_REF_DIR), and the first start. The bundled snapshots alone must serve the real network.
 */
describe('first start with nothing configured', () => {
  let ctx: AppContext;
  let app: App;
  const logs: Array<{ msg: string; done?: number; total?: number }> = [];
  let outcome: Awaited<ReturnType<typeof seedOnFirstStart>>;

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    // Only the database is given (a fresh one per file); geography comes from the default config.
    ctx = await openContext(config, {
      database: await freshDatabase(),
      logger,
      clock: fixedClock('2026-11-24T09:30:00Z'),
    });
    outcome = await seedOnFirstStart(ctx);
    app = await buildApp(ctx);
    await app.ready();
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    if (ctx) await closeContext(ctx);
  });

  it('loads the official list from the snapshot and logs its progress', () => {
    expect(outcome).toMatchObject({ seeded: true, rejected: 0 });
    if (outcome.seeded) expect(outcome.created).toBeGreaterThan(2800);
    const progress = logs.filter((l) => l.msg === 'premier démarrage : structures');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ done: progress.at(-1)?.total });
    expect(logs.map((l) => l.msg)).toContain('premier démarrage : référentiel prêt');
  });

  it('finds Guise on the home page', async () => {
    const res = await app.inject({ url: '/?q=Guise' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('France services Guise');
    expect(res.body).not.toContain('MAILLAGE_REF_DIR');
  });

  it('shows the national figures on /territoires', async () => {
    const res = await app.inject({ url: '/territoires' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/2\s?054/); // true cantons in the COG 2025
    expect(res.body).toMatch(/cantons/);
  });

  it('answers /api/v1/structures/nearest with the real network', async () => {
    const res = await app.inject({ url: '/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=3' });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ name: string; distanceKm: number }>;
    expect(items).toHaveLength(3);
    expect(items[0]?.distanceKm).toBeLessThan(1);
    expect(items.map((i) => i.name)).toContain('France services Guise');
  });

  it('does not load the snapshot twice', async () => {
    expect(await seedOnFirstStart(ctx)).toEqual({ seeded: false, reason: 'not-empty' });
  });
});

describe('MAILLAGE_SEED=none', () => {
  it('leaves the directory empty', async () => {
    const config = loadConfig({ NODE_ENV: 'test', MAILLAGE_SEED: 'none' });
    const database = await freshDatabase();
    const ctx = await openContext(config, { database, geography: undefined });
    try {
      expect(await seedOnFirstStart(ctx)).toEqual({ seeded: false, reason: 'disabled' });
      const app = await buildApp(ctx);
      const res = await app.inject({ url: '/api/v1/structures/nearest?lat=49.9&lon=3.627' });
      expect(res.json().items).toEqual([]);
      await app.close();
    } finally {
      await closeContext(ctx);
    }
  }, 120_000);
});
