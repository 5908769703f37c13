import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runBackup, runRestore } from '../../../src/cli/commands/operations.js';
import { CliError } from '../../../src/cli/context.js';
import { DataDirLockedError } from '../../../src/db/data-dir-lock.js';
import { openDatabase } from '../../../src/db/database.js';
import { listAllStructures } from '../../../src/db/repositories/directory.repository.js';
import { importStructures } from '../../../src/services/directory/import.service.js';
import { packageGeography } from '../../support/app.js';
import { OFFICIAL_HEADER, officialRow } from '../../support/structures.js';

// `maillage backup` / `restore` are for the embedded database (PostgreSQL: pg_dump, see docs/DEPLOYMENT.md).
const pglite = (dataDir: string) => ({ databaseUrl: null, dataDir });
const rows = (...ids: string[]) =>
  Buffer.from(
    [OFFICIAL_HEADER, ...ids.map((id) => officialRow({ id_fs: id, lib_fs: `FS ${id}` }))].join('\n'),
  );

async function seed(dataDir: string, ...ids: string[]) {
  const database = await openDatabase(pglite(dataDir));
  try {
    await importStructures({ db: database.db, communes: packageGeography().communes }, rows(...ids), {
      source: 'test',
    });
  } finally {
    await database.close();
  }
}

async function names(dataDir: string): Promise<string[]> {
  const database = await openDatabase(pglite(dataDir));
  try {
    return (await listAllStructures(database.db)).map((s) => s.name).sort();
  } finally {
    await database.close();
  }
}

// Each step opens a PGlite folder on disk: seconds each on a busy machine.
describe('backup and restore of the embedded database (round trip)', { timeout: 300_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'maillage-backup-'));
  const archive = join(root, 'sauvegarde.tar.gz');

  it('restores into an empty folder exactly what was saved', async () => {
    const source = join(root, 'source');
    await seed(source, '1', '2');
    const database = await openDatabase(pglite(source));
    try {
      expect(await runBackup(database, archive)).toContain('Sauvegarde écrite');
    } finally {
      await database.close();
    }
    const target = join(root, 'cible');
    expect(await runRestore(pglite(target), archive)).toEqual({ structures: 2, previous: null });
    expect(await names(target)).toEqual(['FS 1', 'FS 2']);
    // The restored folder is a working database: the next import updates it as usual.
    await seed(target, '3');
    expect(await names(target)).toEqual(['FS 1', 'FS 2', 'FS 3']);
  });

  it('over an existing database: keeps the replaced folder aside, never deletes it', async () => {
    const target = join(root, 'existante');
    await seed(target, '9');
    const report = await runRestore(pglite(target), archive, new Date('2026-12-03T10:00:00Z'));
    expect(report.structures).toBe(2);
    expect(report.previous).toBe(join(target, 'pglite.avant-restauration-2026-12-03T10-00-00-000Z'));
    expect(await names(target)).toEqual(['FS 1', 'FS 2']);
    expect(readdirSync(report.previous as string).length).toBeGreaterThan(0);
  });

  it('refuses a file that is not a backup, and changes nothing', async () => {
    const target = join(root, 'intacte');
    await seed(target, '5');
    const cases: Array<[string, Buffer]> = [
      ['vide.tar.gz', Buffer.alloc(0)],
      ['texte.tar.gz', Buffer.from('<script>alert(1)</script>')],
      ['csv.tar.gz', rows('1')],
      // gzip magic, then garbage: passes the first check, fails in PGlite
      ['corrompue.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(4096, 7)])],
      // a valid gzip of something else
      ['autre.tar.gz', gzipSync(Buffer.alloc(100_000, 'a'))],
    ];
    for (const [name, content] of cases) {
      const file = join(root, name);
      writeFileSync(file, content);
      await expect(runRestore(pglite(target), file), name).rejects.toBeInstanceOf(CliError);
      expect(await names(target), name).toEqual(['FS 5']);
    }
    await expect(runRestore(pglite(target), join(root, 'absente.tar.gz'))).rejects.toThrow(
      'Fichier introuvable',
    );
    expect(readdirSync(target).filter((f) => f.startsWith('pglite.avant'))).toEqual([]);
  });

  it('refuses while another holder has the folder open', async () => {
    const target = join(root, 'ouverte');
    await seed(target, '7');
    const holder = await openDatabase(pglite(target));
    try {
      await expect(runRestore(pglite(target), archive)).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await holder.close();
    }
    expect(await names(target)).toEqual(['FS 7']);
    expect(existsSync(join(target, 'maillage.lock'))).toBe(false);
  });

  it('points PostgreSQL deployments to pg_dump and pg_restore', async () => {
    await expect(
      runRestore({ databaseUrl: 'postgres://x@127.0.0.1/db', dataDir: root }, archive),
    ).rejects.toThrow('pg_restore');
  });
});
