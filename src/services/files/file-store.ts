import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Uploaded files on disk under a folder of MAILLAGE_DATA_DIR, outside the web root (nothing there is
 * served by the static plugin); read back only through an authorised route. Files are named by their
 * database id, never by the user's file name. Shared by labellisation and escalade (issue 13).
 */
export class FileStore {
  constructor(readonly root: string) {}

  private path(id: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`identifiant de document invalide : ${id}`);
    return join(this.root, id);
  }

  static sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  /** Writes atomically (temp file then rename). */
  async put(id: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const target = this.path(id);
    const temp = `${target}.part`;
    await writeFile(temp, bytes, { mode: 0o600 });
    await rename(temp, target);
  }

  get(id: string): Promise<Buffer> {
    return readFile(this.path(id));
  }

  async remove(id: string): Promise<void> {
    await unlink(this.path(id)).catch(() => undefined);
  }

  /** Whether the file is still on disk (tests of the retention job). */
  async exists(id: string): Promise<boolean> {
    return readFile(this.path(id)).then(
      () => true,
      () => false,
    );
  }
}
