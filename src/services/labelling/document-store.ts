import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Uploaded documents live on disk under MAILLAGE_DATA_DIR/labelling/documents, outside the web root
 * (nothing there is served by the static plugin); they are read back only through an authorised route.
 * Files are named by their database id, never by the user's file name.
 */
export class DocumentStore {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = join(dataDir, 'labelling', 'documents');
  }

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
}
