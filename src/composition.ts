import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import type { Geocoder } from './domain/geocoding/geocoder.js';
import { LocalGeocoder } from './domain/geocoding/geocoder.js';
import { type Clock, systemClock } from './domain/shared/time.js';
import { AccompagnementService } from './services/accompagnement/accompagnement.service.js';
import { RappelService } from './services/accompagnement/rappel.service.js';
import { DirectoryService } from './services/directory/directory.service.js';
import { LocatorService } from './services/directory/locator.service.js';
import { EscaladeService } from './services/escalade/escalade.service.js';
import { BanGeocoder } from './services/geocoding/ban-geocoder.js';
import { loadCommuneCodes } from './services/geography/commune-codes.js';
import { type Geography, loadGeography } from './services/geography/load-geography.js';
import { createLabelling, type Labelling } from './services/labelling/index.js';
import { mobileStopsSource } from './services/mobile/locator-stops.js';
import { MobileService } from './services/mobile/mobile.service.js';
import type { StartupTimings } from './services/operations/startup-timings.js';
import { PilotageService } from './services/pilotage/pilotage.service.js';
import { PilotageRollups } from './services/pilotage/rollups.service.js';
import { SurveyService } from './services/pilotage/survey.service.js';
import { RendezvousService } from './services/rendezvous/rendezvous.service.js';
import { HttpSmsSender } from './services/rendezvous/sms.js';
import { TerritoryService } from './services/territory/territory.service.js';

/**
 * The one composition root. The server, the CLI and the tests all open a context here, then
 * the server wraps it with `buildApp(ctx)`. Capabilities add their services to `AppContext`.
 */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Database['db'];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly geography: Geography;
  readonly geocoder: Geocoder;
  readonly locator: LocatorService;
  /** Reference geography, coverage indicators and planning (issue 4). */
  readonly territory: TerritoryService;
  /** Labellisation, one service per idea (issue 6, docs/adr/0003-labelling.md). */
  readonly labelling: Labelling;
  /** Bus and itinerant France Services: tours, calendars, exceptions (issue 5). */
  readonly mobile: MobileService;
  /** The directory's reads (public pages, API); the structures repository owns the table. */
  readonly directory: DirectoryService;
  /** Accompaniments: records, catalogue, statistics (issue 12). */
  readonly accompagnement: AccompagnementService;
  /** Remote reception: call-back requests and the structures' inboxes (issue 12, §3). */
  readonly rappels: RappelService;
  /** Escalation to partner référents: cases, threads, deadlines, figures (issue 13). */
  readonly escalade: EscaladeService;
  /** Pilotage: rollups kept in each accompaniment write, indicators, open data (issue 14). */
  readonly pilotage: PilotageService;
  /** Rendez-vous: motifs, plages, free slots, bookings, reminders (issue 15). */
  readonly rendezvous: RendezvousService;
}

export interface ContextOverrides {
  readonly clock?: Clock;
  /** An already-open database (tests pass a fresh one per file). */
  readonly database?: Database;
  readonly logger?: Logger;
  /** Geography is read-only and costly to build: tests share one. */
  readonly geography?: Geography;
  /** The server's start: the database's opening and the geography's loading are timed into it. */
  readonly timings?: StartupTimings;
  /**
   * Build the commune registry on first use instead of at start (the CLI: most commands never read it,
   * and it costs about 75 MB of heap and a few hundred milliseconds). The server loads it at start.
   */
  readonly lazyGeography?: boolean;
}

export async function openContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { app: 'maillage' } });
  // The database opens while the commune registry is built: PGlite compiles its WebAssembly off the main
  // thread, and the registry is synchronous work on it, so starting both at once shortens every start.
  const timings = overrides.timings;
  const opening = overrides.database
    ? Promise.resolve(overrides.database)
    : timings
      ? timings.time('database', () => openDatabase(config))
      : openDatabase(config);
  let loaded: Geography | null = overrides.geography ?? null;
  const geography = () => {
    loaded ??= timings
      ? timings.timeSync('geography', () => loadGeography(config.refDir, logger))
      : loadGeography(config.refDir, logger);
    return loaded;
  };
  let geocoder: Geocoder | null = null;
  const geocoderOf = () => {
    if (geocoder) return geocoder;
    const local = new LocalGeocoder(geography().communes);
    geocoder =
      config.geocoder === 'ban' ? new BanGeocoder(config.banUrl, config.banTimeoutMs, local, logger) : local;
    return geocoder;
  };
  if (!overrides.lazyGeography) {
    try {
      geocoderOf();
    } catch (error) {
      if (!overrides.database) await opening.then((d) => d.close()).catch(() => {});
      throw error;
    }
  }
  const database = await opening;
  const clock = overrides.clock ?? systemClock;
  const mobile = new MobileService(database.db, clock);
  const rollups = new PilotageRollups(database.db, logger);
  const accompagnement = new AccompagnementService(
    database.db,
    clock,
    { communeCodes: () => loadCommuneCodes(), geography },
    logger,
    rollups.listener,
  );
  const rendezvous = new RendezvousService(
    database.db,
    clock,
    config,
    logger,
    config.smsUrl ? new HttpSmsSender(config.smsUrl, config.smsToken) : null,
    () => accompagnement.activeDemarches(),
  );
  return {
    config,
    database,
    db: database.db,
    clock,
    logger,
    get geography() {
      return geography();
    },
    get geocoder() {
      return geocoderOf();
    },
    locator: new LocatorService(database.db, clock, mobileStopsSource(database.db, mobile), rendezvous),
    territory: new TerritoryService(database.db, config, logger),
    labelling: createLabelling({ db: database.db, clock, config }),
    mobile,
    directory: new DirectoryService(database.db),
    accompagnement,
    rappels: new RappelService(database.db, clock, accompagnement, logger),
    escalade: new EscaladeService(database.db, clock, config, logger),
    pilotage: new PilotageService(
      database.db,
      geography,
      rollups,
      accompagnement,
      clock,
      config.secretThreshold,
      new SurveyService(database.db, clock, config.publicUrl),
    ),
    rendezvous,
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.territory.close();
  await ctx.database.close();
}
