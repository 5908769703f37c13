import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../db/data-dir-lock.js';

/**
 * How a `maillage` command finds the server that holds the embedded database: the server writes its pid,
 * port and a fresh random token to `server.json` in the data folder, readable by its owner only (0600),
 * and removes it when it stops. Whoever can read that file could open the database files anyway.
 */
export const SERVER_FILE = 'server.json';

/** Where the CLI posts its work (src/http/routes/cli-channel.routes.ts); no public API, so not in OpenAPI. */
export const CLI_CHANNEL_PATH = '/api/interne/commande';

export interface ServerFile {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
}

export const newChannelToken = (): string => randomBytes(32).toString('base64url');

export function writeServerFile(dataDir: string, entry: ServerFile): void {
  const path = join(dataDir, SERVER_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
  chmodSync(temporary, 0o600); // a restrictive umask is not enough of a promise
  renameSync(temporary, path);
}

export function removeServerFile(dataDir: string): void {
  try {
    if (readServerFile(dataDir)?.pid === process.pid) unlinkSync(join(dataDir, SERVER_FILE));
  } catch {
    // already gone
  }
}

/** The running server's entry, or null when there is none or its process is gone (a crash). */
export function readRunningServer(dataDir: string): ServerFile | null {
  const entry = readServerFile(dataDir);
  return entry && isAlive(entry.pid) ? entry : null;
}

function readServerFile(dataDir: string): ServerFile | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as Partial<ServerFile>;
    if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number' || typeof parsed.token !== 'string')
      return null;
    return { pid: parsed.pid, port: parsed.port, token: parsed.token };
  } catch {
    return null;
  }
}
