import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_HEADER, officialRow } from '../../support/structures.js';

/**
 * The scenario with two real processes on one embedded database folder: the server (`npm start`)
 * and `maillage` commands run beside it. Both run from the TypeScript sources through tsx, as in development.
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'maillage-two-processes-'));
const csv = (rows: string[]) => {
  const path = join(dataDir, `import-${rows.length}.csv`);
  writeFileSync(path, [OFFICIAL_HEADER, ...rows].join('\n'));
  return path;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let port = 0;
const env = () => ({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  MAILLAGE_DATA_DIR: dataDir,
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: '',
  MAILLAGE_REF_DIR: '',
  // The test owns what the directory holds: no bundled list loaded at the server's first start.
  MAILLAGE_SEED: 'none',
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), ...args], {
      cwd: repo,
      env: { ...env(), MAILLAGE_CLI: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let server: ChildProcess | null = null;
let serverLog = '';
const base = () => `http://127.0.0.1:${port}`;

async function startServer(): Promise<void> {
  server = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'http', 'server.ts')], {
    cwd: repo,
    env: env(),
  });
  server.stdout?.on('data', (d) => {
    serverLog += d;
  });
  server.stderr?.on('data', (d) => {
    serverLog += d;
  });
  const exited = new Promise<never>((_, reject) =>
    server?.once('exit', (code) => reject(new Error(`le serveur s’est arrêté (${code}) : ${serverLog}`))),
  );
  // Ready when it has published its channel: it listens by then.
  const published = (async () => {
    while (!existsSync(join(dataDir, 'server.json'))) await new Promise((r) => setTimeout(r, 100));
  })();
  await Promise.race([published, exited]);
}

async function stopServer(): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const done = new Promise((resolve) => server?.once('exit', resolve));
  server.kill('SIGTERM');
  await done;
}

// PGlite only: with DATABASE_URL every process writes to PostgreSQL itself (see instances.pg.test.ts).
describe.skipIf(!!process.env.TEST_DATABASE_URL)(
  'one writer on the embedded database: the server and the CLI, two real processes',
  // Each CLI run starts Node with tsx: seconds each on a busy machine.
  { timeout: 300_000 },
  () => {
    beforeAll(async () => {
      port = await freePort();
      await startServer();
    }, 180_000);
    afterAll(async () => {
      await stopServer();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the server holds the folder: its lock names it, and its channel file is private (0600)', () => {
      const lock = JSON.parse(readFileSync(join(dataDir, 'maillage.lock'), 'utf8'));
      expect(lock).toMatchObject({ pid: server?.pid, role: 'serveur' });
      const channel = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
      expect(channel).toMatchObject({ pid: server?.pid, port });
      expect(channel.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(statSync(join(dataDir, 'server.json')).mode & 0o777).toBe(0o600);
    });

    it('import structures is delivered to the running server, which answers with the new data without restart', async () => {
      const before = await (
        await fetch(`${base()}/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=5`)
      ).json();
      expect(before.items).toEqual([]);
      const file = csv([
        officialRow({ id_fs: '101', lib_fs: 'France services de Guise' }),
        officialRow({ id_fs: '102', lib_fs: 'France services <script>alert(1)</script>' }),
      ]);
      const dry = await cli('import', 'structures', file, '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stderr).toContain('la commande lui est transmise');
      expect(dry.stdout).toContain('Simulation (rien n’a été écrit) — 2 créée(s)');
      const run = await cli('import', 'structures', file, '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ created: 2, updated: 0, unchanged: 0, rejected: [] });
      const after = await (
        await fetch(`${base()}/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=5`)
      ).json();
      expect(after.items.map((i: { idFs: string }) => i.idFs).sort()).toEqual(['101', '102']);
      // The import keeps text, never markup.
      expect(JSON.stringify(after.items)).not.toContain('<script');
      // The same report as without a server: a second run finds everything unchanged.
      const again = await cli('import', 'structures', file);
      expect(again.stdout).toContain('0 créée(s), 0 mise(s) à jour, 2 inchangée(s)');
    });

    it('a file the import rejects is reported by the CLI, and nothing is written', async () => {
      const missing = await cli('import', 'structures', join(dataDir, 'absent.csv'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Fichier introuvable');
      const garbage = join(dataDir, 'garbage.csv');
      writeFileSync(garbage, Buffer.from([0, 1, 2, 3, 255, 254, 0, 0]));
      const bad = await cli('import', 'structures', garbage);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/Le serveur a refusé la commande \(4\d\d\)/);
      const now = await (
        await fetch(`${base()}/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=5`)
      ).json();
      expect(now.items).toHaveLength(2);
    });

    it('users create-admin prints a link the running server honours', async () => {
      const run = await cli('users', 'create-admin', 'Admin.National@Example.fr');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Compte administrateur national créé pour admin.national@example.fr');
      const link = run.stdout.match(/https?:\/\/\S+/)?.[0];
      expect(link).toBeDefined();
      const page = await fetch(link as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('mot de passe');
      const twice = await cli('users', 'create-admin', 'admin.national@example.fr');
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('Un compte existe déjà');
    });

    it('a command with no channel refuses at once, in French, naming the server and the way', async () => {
      const run = await cli('labelling', 'due-audits', '--json');
      expect(run.code).toBe(75);
      expect(run.stderr).toContain('est déjà ouvert par un autre processus Maillage (serveur');
      expect(run.stderr).toContain('arrêtez ce processus');
      expect(run.stderr).toContain('/espace');
      const restore = await cli('restore', join(dataDir, 'whatever.tar.gz'));
      expect(restore.code).toBe(75);
      expect(restore.stderr).toContain('arrêtez-le avant de restaurer');
    });

    it('a second server on the same folder stops at once', async () => {
      const second = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'http', 'server.ts')], {
        cwd: repo,
        env: { ...env(), PORT: '0' },
      });
      let output = '';
      second.stderr.on('data', (d) => {
        output += d;
      });
      const code = await new Promise((resolve) => second.on('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toContain('est déjà ouvert par un autre processus Maillage');
    });

    it('backup goes through the server; after it stops, restore brings the same directory back', async () => {
      const archive = join(dataDir, 'sauvegarde.tar.gz');
      const backup = await cli('backup', archive);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain('Sauvegarde écrite');
      await stopServer();
      expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
      expect(existsSync(join(dataDir, 'maillage.lock'))).toBe(false);
      // The server gone, commands open the folder themselves.
      const extra = await cli('import', 'structures', csv([officialRow({ id_fs: '103' })]));
      expect(extra.stdout).toContain('1 créée(s)');
      const restore = await cli('restore', archive);
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stdout).toContain('2 structure(s)');
      expect(restore.stdout).toContain('L’ancienne base est conservée');
      const exported = await cli('export', 'structures', '--format', 'geojson');
      expect(exported.code, exported.stderr).toBe(0);
      const names = JSON.parse(exported.stdout).features.map((f: { properties: { name?: string } }) =>
        JSON.stringify(f.properties),
      );
      expect(names).toHaveLength(2);
      expect(names.join()).toContain('"101"');
      expect(names.join()).toContain('"102"');
      expect(names.join()).not.toContain('"103"');
    });
  },
);
