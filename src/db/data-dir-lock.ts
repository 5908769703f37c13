import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One writer per PGlite folder. PGlite is a single-process Postgres: a second process opening the same
 * files would diverge from the first, then corrupt them. Whoever opens the folder first creates
 * `maillage.lock` exclusively (O_EXCL) with its pid; a later process finds it and stops, unless the pid
 * is no longer alive (a crash left the file behind), in which case the stale lock is replaced.
 */
export const LOCK_FILE = 'maillage.lock';

export interface LockHolder {
  readonly pid: number;
  readonly role: string;
  readonly since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `Le dossier de données ${dataDir} est déjà ouvert par un autre processus Maillage (${holder.role}, pid ${holder.pid}, depuis ${holder.since}). ` +
        'La base embarquée n’accepte qu’un processus à la fois : arrêtez ce processus, ou faites la même opération dans l’espace d’administration (/espace) du serveur en cours d’exécution.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): void;
}

/** Is this pid a running process? EPERM means it runs under another user: alive too. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, role: String(parsed.role ?? 'processus'), since: String(parsed.since ?? '?') };
  } catch {
    return null;
  }
}

/** Takes the folder's lock or throws DataDirLockedError naming the holder. `role` is said in that message. */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, role, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return {
        release: () => {
          // Only our own lock: never remove one a successor took after ours was judged stale.
          if (readLockHolder(dataDir)?.pid === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLockHolder(dataDir);
    // A holder still writing its file (null for an instant) or alive: the folder is taken.
    if (holder && isAlive(holder.pid)) throw new DataDirLockedError(dataDir, holder);
    if (!holder && attempt === 0) continue;
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirLockedError(dataDir, readLockHolder(dataDir) ?? { pid: 0, role: 'inconnu', since: '?' });
}
