import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, isAlive, LOCK_FILE, lockDataDir, readLockHolder } from './data-dir-lock.js';

const folder = () => mkdtempSync(join(tmpdir(), 'maillage-lock-'));
/** A pid that existed and is gone: a process that already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

describe('data folder lock (one process per PGlite folder)', () => {
  it('writes the holder, refuses a second holder with a French message naming it, and frees on release', () => {
    const dir = folder();
    const lock = lockDataDir(dir, 'serveur');
    expect(readLockHolder(dir)).toMatchObject({ pid: process.pid, role: 'serveur' });
    let refused: unknown;
    try {
      lockDataDir(dir, 'commande « maillage import structures »');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`serveur, pid ${process.pid}`);
    expect((refused as Error).message).toContain('arrêtez ce processus');
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir, 'serveur').release();
  });

  it('takes over a lock left by a process that no longer runs (a crash)', () => {
    const dir = folder();
    const gone = deadPid();
    expect(isAlive(gone)).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone, role: 'serveur', since: 'hier' }));
    const lock = lockDataDir(dir, 'serveur');
    expect(readLockHolder(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over an unreadable lock file (garbage, empty, a huge pid, Infinity)', () => {
    for (const content of [
      '',
      'pas du json',
      '{"pid":"12"}',
      '{"pid":1e308}',
      '{"pid":-1}',
      '{"pid":null}',
    ]) {
      const dir = folder();
      writeFileSync(join(dir, LOCK_FILE), content);
      const lock = lockDataDir(dir, 'serveur');
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      lock.release();
    }
  });

  it('release never removes a lock that another process holds now', () => {
    const dir = folder();
    const lock = lockDataDir(dir, 'serveur');
    // Someone judged ours stale and took over (pid 1 is always alive).
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, role: 'serveur', since: 'maintenant' }));
    lock.release();
    expect(readLockHolder(dir)?.pid).toBe(1);
    expect(() => lockDataDir(dir, 'serveur')).toThrow(DataDirLockedError);
  });
});
