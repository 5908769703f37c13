/**
 * Crash safety (issue 9): `kill -9` at random moments, then check what the database kept.
 *
 * 1. The CLI (`bin/maillage.js import structures <real file>`), killed N times: the database opens and the
 *    import is all-or-nothing (the structures count is the count before, or after, never in between).
 * 2. The server (`node --import tsx src/http/server.ts`), killed N times while a signed-in agent edits a
 *    structure: after restart, the last acknowledged write (HTTP 200 received before the kill) is there.
 *
 * Both on PGlite (a real data folder, MAILLAGE_DATA_DIR) and on PostgreSQL (CRASH_PG_URL, default the
 * local test server; skipped with a note if it does not answer). Seeded kill times; 127.0.0.1 only.
 * Usage: npm run bench:crash [-- --trials 20 --engines pglite,postgres --parts cli,server]
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { addMembership, insertUser } from '../src/db/repositories/accounts.repository.js';
import { insertStructures } from '../src/db/repositories/directory.repository.js';
import { hashPassword } from '../src/services/accounts/auth.service.js';
import { aStructure } from '../test/support/structures.js';
import { load, writeReliabilitySection } from './reliability-report.js';
import { machine, seeded, today } from './report.js';
import { killHard, REPO, sleep, startServer, versionIn, WebClient } from './server-process.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const TRIALS = Math.min(100, Math.max(1, Number(arg('trials', '20'))));
const ENGINES = arg('engines', 'pglite,postgres').split(',');
const PARTS = arg('parts', 'cli,server').split(',');
const PG_URL = process.env.CRASH_PG_URL ?? 'postgres://maillage@127.0.0.1:55432/postgres';
const REAL_FILE = join(REPO, '..', 'shared', 'data', 'france-services-2024-08.csv');
const random = seeded(9);
const work = mkdtempSync(join(tmpdir(), 'maillage-crash-'));

type Engine = 'pglite' | 'postgres';
interface Target {
  /** Environment for the CLI and the server. */
  env: Record<string, string>;
  config: Pick<Config, 'databaseUrl' | 'dataDir'>;
}

// --- targets: a PGlite folder, or a PostgreSQL database ---------------------------------------------------

const pgAdmin = () => new pg.Client({ connectionString: PG_URL });
async function pgReachable(): Promise<boolean> {
  const c = pgAdmin();
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
async function pgExec(sqlText: string): Promise<void> {
  const c = pgAdmin();
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}
const dbUrl = (name: string) => {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

function targetOf(engine: Engine, name: string): Target {
  if (engine === 'pglite') {
    const dataDir = join(work, name);
    return { env: { MAILLAGE_DATA_DIR: dataDir }, config: { databaseUrl: null, dataDir } };
  }
  const url = dbUrl(name);
  return { env: { DATABASE_URL: url }, config: { databaseUrl: url, dataDir: join(work, `${name}-files`) } };
}

async function copyTarget(engine: Engine, from: string, to: string): Promise<Target> {
  if (engine === 'pglite') cpSync(join(work, from), join(work, to), { recursive: true });
  else await pgExec(`create database "${to}" template "${from}"`);
  return targetOf(engine, to);
}

async function dropTarget(engine: Engine, name: string): Promise<void> {
  if (engine === 'pglite') rmSync(join(work, name), { recursive: true, force: true });
  else await pgExec(`drop database if exists "${name}" with (force)`);
}

/** Opens the database as the application would (migrations included) and counts structures. */
async function countStructures(target: Target): Promise<number> {
  const database = await openDatabase(target.config);
  try {
    const row = await database.db
      .selectFrom('structures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await database.close();
  }
}

// --- the CLI ---------------------------------------------------------------------------------------------

function runCli(target: Target, file: string, killAfterMs: number | null) {
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/maillage.js', 'import', 'structures', file], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MAILLAGE_REF_DIR: join(REPO, '..', 'shared', 'data'),
      ...target.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - started })),
  );
  const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return exited.then((r) => {
    if (timer) clearTimeout(timer);
    return { ...r, stderr };
  });
}

interface CliFigures {
  engine: Engine;
  trials: number;
  killed: number;
  finished: number;
  before: number;
  after: number;
  sawBefore: number;
  sawAfter: number;
  inBetween: number;
  failedToOpen: number;
  fullRunMs: number;
  problems: string[];
}

async function cliProof(engine: Engine): Promise<CliFigures> {
  // The real file, and its first third: the template holds the third, the killed import brings the rest.
  const lines = readFileSync(REAL_FILE, 'utf8').split(/\r?\n/);
  const third = join(work, 'third.csv');
  writeFileSync(third, `${lines.slice(0, Math.floor(lines.length / 3)).join('\n')}\n`);
  const tpl = `crash_tpl_${engine}`;
  await dropTarget(engine, tpl);
  if (engine === 'postgres') await pgExec(`create database "${tpl}"`);
  const template = targetOf(engine, tpl);
  const seed = await runCli(template, third, null);
  if (seed.code !== 0) throw new Error(`seed import failed: ${seed.stderr}`);
  const before = await countStructures(template);

  // One import to the end: the count after, and how long a whole run takes (start-up included).
  const full = await copyTarget(engine, tpl, `crash_full_${engine}`);
  const whole = await runCli(full, REAL_FILE, null);
  if (whole.code !== 0) throw new Error(`full import failed: ${whole.stderr}`);
  const after = await countStructures(full);
  await dropTarget(engine, `crash_full_${engine}`);

  const f: CliFigures = {
    engine,
    trials: TRIALS,
    killed: 0,
    finished: 0,
    before,
    after,
    sawBefore: 0,
    sawAfter: 0,
    inBetween: 0,
    failedToOpen: 0,
    fullRunMs: whole.ms,
    problems: [],
  };
  for (let i = 0; i < TRIALS; i++) {
    const name = `crash_cli_${engine}_${i}`;
    const target = await copyTarget(engine, tpl, name);
    // Anywhere from start-up to just past the usual end, so start-up, reading, the transaction and the commit
    // are all hit.
    const killAt = Math.round(random() * whole.ms * 1.1);
    const run = await runCli(target, REAL_FILE, killAt);
    if (run.signal === 'SIGKILL') f.killed++;
    else f.finished++;
    try {
      const n = await countStructures(target);
      console.log(`[crash cli ${engine}] ${i + 1}/${TRIALS}: ${n} structures after the kill`);
      if (n === before) f.sawBefore++;
      else if (n === after) f.sawAfter++;
      else {
        f.inBetween++;
        f.problems.push(`essai ${i} (tué à ${killAt} ms) : ${n} structures, ni ${before} ni ${after}`);
      }
    } catch (error) {
      f.failedToOpen++;
      f.problems.push(
        `essai ${i} (tué à ${killAt} ms) : la base ne s’ouvre plus : ${String(error).slice(0, 300)}`,
      );
      continue; // keep the broken folder for inspection
    }
    await dropTarget(engine, name);
    console.log(`[crash cli ${engine}] ${i + 1}/${TRIALS} killed at ${killAt} ms (${run.signal ?? 'fini'})`);
  }
  await dropTarget(engine, tpl);
  return f;
}

// --- the server ------------------------------------------------------------------------------------------

interface ServerFigures {
  engine: Engine;
  trials: number;
  acknowledged: number;
  lost: number;
  failedToStart: number;
  problems: string[];
}

async function serverProof(engine: Engine): Promise<ServerFigures> {
  const name = `crash_srv_${engine}`;
  await dropTarget(engine, name);
  if (engine === 'postgres') await pgExec(`create database "${name}"`);
  const target = targetOf(engine, name);
  let structureId = '';
  const email = 'agent.crash@example.fr';
  const password = 'correct cheval pile agrafe';
  {
    const database = await openDatabase(target.config);
    const input = aStructure({ idFs: 'CRASH' });
    await insertStructures(database.db, [input]);
    const s = await database.db
      .selectFrom('structures')
      .select('id')
      .where('id_fs', '=', 'CRASH')
      .executeTakeFirstOrThrow();
    const user = await insertUser(database.db, {
      email,
      display_name: 'Agent de la preuve',
      role: 'agent',
      departement: null,
      password_hash: await hashPassword(password),
      proconnect_sub: null,
      deactivated_at: null,
      invited_by: null,
      last_login_at: null,
    });
    await addMembership(database.db, user.id, s.id);
    structureId = s.id;
    await database.close();
  }
  const f: ServerFigures = {
    engine,
    trials: TRIALS,
    acknowledged: 0,
    lost: 0,
    failedToStart: 0,
    problems: [],
  };
  let last: { description: string; version: number } | null = null;
  let inFlight: string | null = null;
  for (let i = 0; i <= TRIALS; i++) {
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(target.env);
    } catch (error) {
      f.failedToStart++;
      f.problems.push(`redémarrage ${i} : le serveur ne démarre plus : ${String(error).slice(0, 300)}`);
      break;
    }
    const agent = new WebClient(server.url);
    await agent.login(email, password);
    const path = `/espace/structures/${structureId}`;
    const page = await agent.get(path);
    // After each kill: the last acknowledged write is there (or the one in flight, committed but unanswered).
    if (last) {
      const detail = await fetch(`${server.url}/api/v1/structures/${structureId}`).then((r) => r.json());
      const version = Number(versionIn(page.body));
      const ok =
        (detail.description === last.description && version === last.version) ||
        (inFlight !== null && detail.description === inFlight && version === last.version + 1);
      if (!ok) {
        f.lost++;
        f.problems.push(
          `redémarrage ${i} : attendu « ${last.description} » (version ${last.version}), trouvé « ${detail.description} » (version ${version})`,
        );
      }
    }
    if (i === TRIALS) {
      await server.stop();
      break;
    }
    // Writes until the kill, at a random moment between 0.2 and 3 s.
    const killAt = Date.now() + 200 + Math.round(random() * 2_800);
    let version = versionIn(page.body);
    let n = 0;
    let killed = false;
    const killer = (async () => {
      await sleep(Math.max(0, killAt - Date.now()));
      killed = true;
      await killHard(server.child);
    })();
    while (!killed) {
      n++;
      const description = `Écriture ${i}-${n} avant l’arrêt brutal`;
      inFlight = description;
      try {
        const res = await agent.post(path, {
          version,
          email: 'fs@example.fr',
          telephone: '03 23 00 00 00',
          hours_lundi: '09:00 - 12:00',
          description,
        });
        if (res.status !== 200) throw new Error(`écriture refusée (${res.status})`);
        version = versionIn(res.body);
        last = { description, version: Number(version) };
        inFlight = null;
        f.acknowledged++;
      } catch (error) {
        if (!killed) f.problems.push(`essai ${i} : ${String(error).slice(0, 200)}`);
        break;
      }
    }
    await killer;
    console.log(`[crash server ${engine}] ${i + 1}/${TRIALS}: ${n} writes, last ack ${last?.version}`);
  }
  await dropTarget(engine, name);
  return f;
}

// --- run and report: each part writes its own section as soon as it is done --------------------------------

function cliSection(c: CliFigures, minutes: string): string {
  return [
    `### CLI, ${c.engine} — ${today()}, ${machine()}, ${load()} à la fin, ${minutes} min`,
    '',
    '| Import tué (`kill -9`) | Fini avant le coup | Compte avant / après | Vu « avant » | Vu « après » | Entre les deux | Base illisible | Import complet sans coup |',
    '| --: | --: | --: | --: | --: | --: | --: | --: |',
    `| ${c.killed} / ${c.trials} | ${c.finished} | ${c.before} / ${c.after} | ${c.sawBefore} | ${c.sawAfter} | ${c.inBetween} | ${c.failedToOpen} | ${(c.fullRunMs / 1000).toFixed(1)} s |`,
    ...c.problems.map((p) => `- ${p}`),
  ].join('\n');
}
function serverSection(s: ServerFigures, minutes: string): string {
  return [
    `### Serveur, ${s.engine} — ${today()}, ${machine()}, ${load()} à la fin, ${minutes} min`,
    '',
    '| Serveur tué (`kill -9`) | Écritures acquittées (200) | Dernière écriture acquittée perdue | Redémarrage impossible |',
    '| --: | --: | --: | --: |',
    `| ${s.trials} | ${s.acknowledged} | ${s.lost} | ${s.failedToStart} |`,
    ...s.problems.map((p) => `- ${p}`),
  ].join('\n');
}

if (!existsSync(REAL_FILE)) throw new Error(`${REAL_FILE} is missing: the proof imports the real file.`);
let failed = false;
for (const engine of ENGINES as Engine[]) {
  if (engine === 'postgres' && !(await pgReachable())) {
    console.log(`PostgreSQL (${new URL(PG_URL).host}) ne répond pas : non mesuré.`);
    continue;
  }
  if (PARTS.includes('cli')) {
    const t0 = Date.now();
    const c = await cliProof(engine);
    const md = cliSection(c, ((Date.now() - t0) / 60_000).toFixed(1));
    writeReliabilitySection(`crash-cli-${engine}`, md);
    console.log(md);
    failed ||= c.problems.length > 0;
  }
  if (PARTS.includes('server')) {
    const t0 = Date.now();
    const s = await serverProof(engine);
    const md = serverSection(s, ((Date.now() - t0) / 60_000).toFixed(1));
    writeReliabilitySection(`crash-server-${engine}`, md);
    console.log(md);
    failed ||= s.problems.length > 0;
  }
}
rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
