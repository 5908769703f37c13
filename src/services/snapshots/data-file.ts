/**
 * Reference and snapshot files are read by name from a folder. A folder may hold the plain file
 * (`cantons.csv`, as in ../shared/data or a `ref sync` output) or its gzip snapshot
 * (`cantons.csv.gz`, as in the bundled snapshots/): the plain file wins when both exist.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Largest text a snapshot may expand to: the biggest reference file is ~3 MB; a gzip bomb stops here. */
const MAX_EXPANDED_BYTES = 64 * 1024 * 1024;

/** The path that holds `name` in `dir` (plain or `.gz`), or null when neither exists. */
export function dataFilePath(dir: string, name: string): string | null {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  return existsSync(gz) ? gz : null;
}

export interface DataFile {
  readonly path: string;
  readonly text: string;
  /** Modification date of the file on disk (the snapshot's own date for a .gz). */
  readonly mtime: Date;
  /** Size of the text once expanded. */
  readonly bytes: number;
}

function decode(path: string, raw: Buffer): string {
  if (!path.endsWith('.gz')) return raw.toString('utf8');
  return gunzipSync(raw, { maxOutputLength: MAX_EXPANDED_BYTES }).toString('utf8');
}

export function readDataFileSync(dir: string, name: string): DataFile | null {
  const path = dataFilePath(dir, name);
  if (!path) return null;
  const text = decode(path, readFileSync(path));
  return { path, text, mtime: statSync(path).mtime, bytes: Buffer.byteLength(text) };
}

export async function readDataFile(dir: string, name: string): Promise<DataFile | null> {
  const path = dataFilePath(dir, name);
  if (!path) return null;
  const [raw, info] = await Promise.all([readFile(path), stat(path)]);
  const text = decode(path, raw);
  return { path, text, mtime: info.mtime, bytes: Buffer.byteLength(text) };
}
