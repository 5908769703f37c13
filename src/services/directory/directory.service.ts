import type { Db } from '../../db/database.js';
import {
  countStructuresByDepartement,
  findStructureById,
  type ListFilter,
  lastImportRun,
  listStructures,
} from '../../db/repositories/directory.repository.js';

/** The directory's reads for the public pages and the API; the structures repository owns the table. */
export class DirectoryService {
  constructor(private readonly db: Db) {}

  /** A structure by our uuid or its official id_fs, or null. */
  structure(id: string) {
    return findStructureById(this.db, id);
  }

  list(filter: ListFilter) {
    return listStructures(this.db, filter);
  }

  countByDepartement() {
    return countStructuresByDepartement(this.db);
  }

  lastImport() {
    return lastImportRun(this.db);
  }
}
