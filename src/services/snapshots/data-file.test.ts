import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataFilePath, readDataFile, readDataFileSync } from './data-file.js';
import { BUNDLED_SNAPSHOTS, SNAPSHOT_FILES } from './snapshot-files.js';

describe('reference files, plain or gzip', () => {
  it('reads name.gz when name is absent, and prefers the plain file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maillage-data-file-'));
    await writeFile(join(dir, 'a.csv.gz'), gzipSync('code\n02001\n'));
    expect((await readDataFile(dir, 'a.csv'))?.text).toBe('code\n02001\n');
    expect(readDataFileSync(dir, 'a.csv')?.bytes).toBe(11);
    await writeFile(join(dir, 'a.csv'), 'plain\n');
    expect(readDataFileSync(dir, 'a.csv')?.text).toBe('plain\n');
    expect(dataFilePath(dir, 'missing.csv')).toBeNull();
    expect(await readDataFile(dir, 'missing.csv')).toBeNull();
  });

  it('refuses a corrupt or oversized gzip instead of reading garbage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maillage-data-file-'));
    await writeFile(join(dir, 'bad.csv.gz'), 'not gzip at all');
    await expect(readDataFile(dir, 'bad.csv')).rejects.toThrow();
    // 80 MB of zeros compress to ~80 KB: past the 64 MB ceiling, refused.
    await writeFile(join(dir, 'bomb.csv.gz'), gzipSync(Buffer.alloc(80 * 1024 * 1024)));
    expect(() => readDataFileSync(dir, 'bomb.csv')).toThrow();
  });

  it('ships every snapshot, each at most 1 MB', async () => {
    const { statSync } = await import('node:fs');
    for (const f of SNAPSHOT_FILES) {
      const path = dataFilePath(BUNDLED_SNAPSHOTS, f.name);
      expect(path, f.name).toMatch(/\.gz$/);
      expect(statSync(path as string).size, f.name).toBeLessThanOrEqual(1024 * 1024);
    }
  });
});
