import { join } from 'node:path';
import { FileStore } from '../files/file-store.js';

/** Labellisation documents: MAILLAGE_DATA_DIR/labelling/documents (the shared FileStore). */
export class DocumentStore extends FileStore {
  constructor(dataDir: string) {
    super(join(dataDir, 'labelling', 'documents'));
  }
}
