import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportStructures } from '../../../src/cli/commands/directory.js';
import { type AppContext, closeContext, openContext } from '../../../src/composition.js';
import { openDatabase } from '../../../src/db/database.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { packageGeography, testConfig } from '../../support/app.js';
import { OFFICIAL_HEADER, officialRow } from '../../support/structures.js';

/**
 * Several stateless app instances on one PostgreSQL (docs/DEPLOYMENT.md): each has its own connection pool
 * and its own in-memory locator index. After an edit through one, the other answers with it within 2 s
 * (the locator checks the directory's fingerprint at most every 2 s). Needs a server: runs in CI's second
 * pass, where TEST_DATABASE_URL is set.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
const FRESHNESS_MS = 2_000;

describe.skipIf(!serverUrl)('two app instances on one PostgreSQL', () => {
  const name = `maillage_t_${randomBytes(6).toString('hex')}`;
  const instances: Array<{ app: App; ctx: AppContext }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'maillage-instances-'));
  const csvFile = (...rows: string[]) => {
    const path = join(dir, `v${rows.length}-${randomBytes(3).toString('hex')}.csv`);
    writeFileSync(path, [OFFICIAL_HEADER, ...rows].join('\n'));
    return path;
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl as string);
    url.pathname = `/${name}`;
    for (let i = 0; i < 2; i++) {
      // The same configuration, as two processes would read it: each migrates (idempotent) and opens its pool.
      const config = testConfig({ databaseUrl: url.toString() });
      const database = await openDatabase(config);
      const ctx = await openContext(config, { database, geography: packageGeography() });
      const app = await buildApp(ctx);
      await app.ready();
      instances.push({ app, ctx });
    }
  });

  afterAll(async () => {
    for (const { app, ctx } of instances) {
      await app.close();
      await closeContext(ctx);
    }
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });

  const nearestNames = async (i: number): Promise<string[]> => {
    const res = await (instances[i] as { app: App }).app.inject(
      '/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=10',
    );
    expect(res.statusCode).toBe(200);
    return res
      .json()
      .items.map((s: { name: string }) => s.name)
      .sort();
  };

  it('an import through one instance is served by the other within 2 s, without restart', async () => {
    const [a, b] = [instances[0], instances[1]] as [{ ctx: AppContext }, { ctx: AppContext }];
    expect(await nearestNames(1)).toEqual([]); // B has built its index on the empty directory
    await runImportStructures(a.ctx, { file: csvFile(officialRow({ id_fs: '1', lib_fs: 'Première' })) });
    expect(await nearestNames(0)).toEqual(['Première']); // A invalidated its own index
    await new Promise((r) => setTimeout(r, FRESHNESS_MS + 100));
    expect(await nearestNames(1)).toEqual(['Première']);

    // An edit of an existing structure (same count: the fingerprint's last update moves).
    await runImportStructures(b.ctx, { file: csvFile(officialRow({ id_fs: '1', lib_fs: 'Renommée' })) });
    await new Promise((r) => setTimeout(r, FRESHNESS_MS + 100));
    expect(await nearestNames(0)).toEqual(['Renommée']);
    expect(await nearestNames(1)).toEqual(['Renommée']);
  });

  it('both instances write at once without losing either import', async () => {
    const [a, b] = [instances[0], instances[1]] as [{ ctx: AppContext }, { ctx: AppContext }];
    await Promise.all([
      runImportStructures(a.ctx, {
        file: csvFile(
          officialRow({ id_fs: '1', lib_fs: 'Renommée' }),
          officialRow({ id_fs: '2', lib_fs: 'Deux' }),
        ),
      }),
      runImportStructures(b.ctx, {
        file: csvFile(
          officialRow({ id_fs: '1', lib_fs: 'Renommée' }),
          officialRow({ id_fs: '3', lib_fs: 'Trois' }),
        ),
      }),
    ]);
    await new Promise((r) => setTimeout(r, FRESHNESS_MS + 100));
    expect(await nearestNames(0)).toEqual(['Deux', 'Renommée', 'Trois']);
    expect(await nearestNames(1)).toEqual(['Deux', 'Renommée', 'Trois']);
  });
});
