import type { AccompagnementTables } from './accompagnement.js';
import type { AccountsTables } from './accounts.js';
import type { DirectoryTables } from './directory.js';
import type { EscaladeTables } from './escalade.js';
import type { LabellingTables } from './labelling.js';
import type { MobileTables } from './mobile.js';
import type { OperationsTables } from './operations.js';
import type { PilotageTables } from './pilotage.js';
import type { RendezvousTables } from './rendezvous.js';
import type { SecurityTables } from './security.js';
import type { TerritoryTables } from './territory.js';

/**
 * The whole database, for Kysely. Each capability declares its own tables in schema/<capability>.ts;
 * add it to this list.
 */
export interface DB
  extends DirectoryTables,
    AccountsTables,
    TerritoryTables,
    LabellingTables,
    MobileTables,
    OperationsTables,
    SecurityTables,
    AccompagnementTables,
    EscaladeTables,
    PilotageTables,
    RendezvousTables {}
