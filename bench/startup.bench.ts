/**
 * Start-up times (issue 16, item 3): `maillage --help` and the server's first `/health` answer, compiled
 * (dist/, what `npm start` and the bin run) against the former way (tsx compiling the sources at each run),
 * with `node -e 0` as the same run's baseline. The server starts on a data folder holding the real official
 * list (../shared/data), with the reference folder loaded, as in production.
 * Run: `npm run build && npm run bench:startup`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, today, writeSection } from './report.js';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared', 'data');
const CSV = join(SHARED, 'france-services-2024-08.csv');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('Lancez d’abord « npm run build ».');
if (!existsSync(CSV)) throw new Error(`Données absentes : ${CSV}`);

const dataDir = mkdtempSync(join(tmpdir(), 'maillage-startup-'));
const env = {
  ...process.env,
  MAILLAGE_DATA_DIR: dataDir,
  MAILLAGE_REF_DIR: SHARED,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

function timeCommand(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
  return performance.now() - t0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a live process still holds the data folder (a dead holder's lock file is stale). */
function lockHolderAlive(): boolean {
  const file = join(dataDir, 'maillage.lock');
  if (!existsSync(file)) return false;
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Milliseconds from spawning the server to its first 200 on /health. With `phases`, the server logs at info and
 * its start-up timings (`démarrage : durées par étape`) are added there.
 */
async function timeServer(args: string[], phases?: Array<Record<string, number>>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', ...(phases ? { LOG_LEVEL: 'info' } : {}) },
    stdio: ['ignore', phases ? 'pipe' : 'ignore', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`le serveur s’est arrêté (${child.exitCode})`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const line = out.split('\n').find((l) => l.includes('durées par étape'));
    if (phases && line) phases.push((JSON.parse(line) as { ms: Record<string, number> }).ms);
    // tsx runs the server in a child process of its own: wait until the real holder has let the folder go.
    // A holder killed without its clean-up leaves a stale lock, which the next start replaces: don't wait on it.
    while (lockHolderAlive()) await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  execFileSync(process.execPath, ['bin/maillage.js', 'import', 'structures', CSV], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  const rows: Array<[string, number[]]> = [
    ['`node -e 0` (référence)', []],
    ['`maillage --help`, compilé (dist/)', []],
    ['`maillage --help`, tsx (avant)', []],
    ['`maillage import --help`, compilé', []],
    ['serveur → 1er `/health` 200, compilé (`npm start`)', []],
    ['serveur → 1er `/health` 200, tsx (avant)', []],
  ];
  const at = (i: number) => (rows[i] as [string, number[]])[1];
  const loadBefore = loadavg()[0] as number;
  const phases: Array<Record<string, number>> = [];
  // Interleaved, so that a burst of load on the shared machine hits every variant alike.
  for (let r = 0; r < RUNS; r++) {
    at(0).push(timeCommand(['-e', '0']));
    at(1).push(timeCommand(['bin/maillage.js', '--help']));
    at(2).push(timeCommand([TSX, 'src/cli/main.ts', '--help']));
    at(3).push(timeCommand(['bin/maillage.js', 'import', '--help']));
    at(4).push(await timeServer(['--enable-source-maps', 'dist/http/server.js'], phases));
    at(5).push(await timeServer([TSX, 'src/http/server.ts']));
    process.stderr.write(`tour ${r + 1}/${RUNS}\n`);
  }
  const loads = `${loadBefore.toFixed(1)} → ${(loadavg()[0] as number).toFixed(1)}`;
  const base = median(at(0));
  const table = rows
    .map(
      ([label, xs]) =>
        `| ${label} | ${Math.round(median(xs))} | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} | ${(median(xs) / base).toFixed(1)} × |`,
    )
    .join('\n');
  const phaseLine = Object.keys(phases[0] ?? {})
    .map((k) => `${k} ${median(phases.map((p) => p[k] ?? 0))}`)
    .join(', ');
  const gain = (median(at(5)) / median(at(4))).toFixed(1);
  writeSection(
    'startup',
    `## Start-up (issue 16, item 3)

${today()} — ${machine()}, load average (1 min) ${loads} over the run. ${RUNS} interleaved runs each, median (min–max) in ms; ratio against \`node -e 0\` measured in
the same run. Server: a PGlite folder holding the 2,845 structures of the official 2024-08 list,
\`MAILLAGE_REF_DIR=../shared/data\`; timed from spawn to the first 200 on \`/health\` (the locator's index is built
before listening; the compiled server is the esbuild bundle that \`npm start\` runs). Targets: \`--help\` ≤ 1 s, \`/health\` ≤ 3 s.

| Command | median | min–max | × node -e 0 |
| --- | ---: | ---: | ---: |
${table}

Compiled server's own start-up log, medians in ms (geography and database overlap; context holds both): ${phaseLine}.

Compiled server vs tsx: ${gain} × faster to its first answer. \`npm run bench:startup\` (after \`npm run build\`).`,
  );
  process.stdout.write(`${table}\n`);
}

try {
  await main();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
