import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { BUNDLED_SNAPSHOTS } from './services/snapshots/snapshot-files.js';
import { PRODUCER_URL_VARIABLES } from './services/territory/producer-sources.js';

/**
 * The environment, parsed once into a typed, frozen object. `process.env` is read nowhere else.
 * A bad value stops the start with a message naming the variable.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Public base URL, used in links that leave the page (ICS, QR codes, e-mails). */
  readonly publicUrl: string;
  readonly dataDir: string;
  /** PostgreSQL server when set; otherwise the embedded PGlite under dataDir. */
  readonly databaseUrl: string | null;
  /**
   * Reference data folder (centroids, cantons, ZRR, QPV, density grid, outlines): MAILLAGE_REF_DIR, or
   * the bundled snapshots/ when unset; null only when a caller (tests) wants none.
   */
  readonly refDir: string | null;
  /** `ref sync`: a producer file's URL replaced, by variable name (MAILLAGE_REF_URL_*, docs/DONNEES.md). */
  readonly refSourceUrls: Readonly<Record<string, string>>;
  /** Leaflet tile URL template; null means no tiles (offline): the map draws department outlines only. */
  readonly tileUrl: string | null;
  readonly tileAttribution: string;
  readonly geocoder: 'local' | 'ban';
  readonly banUrl: string;
  readonly banTimeoutMs: number;
  /** Bearer token for the staff-only API endpoints used by scripts (no session). Null disables them. */
  readonly adminToken: string | null;
  readonly osrmUrl: string | null;
  /** data.gouv.fr API and the dataset of the official list, for `import structures --from-datagouv`. */
  readonly datagouvUrl: string;
  readonly datagouvDataset: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly nodeEnv: 'production' | 'development' | 'test';
  /** Accounts (issue 3): outgoing mail over SMTP when set; otherwise mail goes to the outbox table. */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /** ProConnect (OpenID Connect); disabled unless issuer, client id and secret are all set. */
  readonly proconnect: {
    readonly issuer: string;
    readonly clientId: string;
    readonly clientSecret: string;
  } | null;
  /** Days a deactivated account is kept before `maillage users purge` removes it. */
  readonly accountRetentionDays: number;
  /** Labellisation (issue 6): months between periodic audits of a labelled structure. */
  readonly auditCycleMonths: number;
  /** Largest accepted upload (pièces justificatives, audit photos), in bytes. */
  readonly uploadMaxBytes: number;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs). Empty: the header is
   * ignored and the client address is the TCP peer (security review, finding 6b).
   */
  readonly trustProxy: readonly string[];
  /** First start with an empty directory: load the bundled snapshot of the official list, or nothing. */
  readonly seed: 'snapshot' | 'none';
  /** Open data (issue 14): counts from 1 to this − 1 are never published (statistical secrecy). */
  readonly secretThreshold: number;
  /** Rendez-vous (issue 15): an HTTP SMS provider for reminders (docs/sms-adapter.md); none: email only. */
  readonly smsUrl: string | null;
  readonly smsToken: string | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} : ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const text = (env: Env, name: string): string | null => {
  const v = env[name]?.trim();
  return v ? v : null;
};

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `nombre entier attendu, reçu « ${raw} ».`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `doit être entre ${min} et ${max}, reçu ${n}.`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `valeur « ${raw} » inconnue ; valeurs possibles : ${allowed.join(', ')}.`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string | null, schemes = ['http:', 'https:']): string | null {
  const raw = text(env, name);
  if (raw === null) return fallback;
  try {
    // Tile templates hold {z}/{x}/{y}: they are valid URLs once the braces are filled.
    const probe = new URL(raw.replace(/\{[a-z]+\}/g, '0'));
    if (!schemes.includes(probe.protocol)) throw new Error('scheme');
  } catch {
    throw new ConfigError(name, `URL invalide (${schemes.join(' ou ')} attendu) : « ${raw} ».`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const nodeEnv = oneOf(env, 'NODE_ENV', ['production', 'development', 'test'] as const, 'development');
  const adminToken = text(env, 'MAILLAGE_ADMIN_TOKEN');
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError('MAILLAGE_ADMIN_TOKEN', 'au moins 16 caractères, pour ne pas être devinable.');
  }
  const refDir = text(env, 'MAILLAGE_REF_DIR');
  return Object.freeze({
    port,
    host: text(env, 'HOST') ?? '0.0.0.0',
    publicUrl: (url(env, 'MAILLAGE_PUBLIC_URL', `http://localhost:${port}`) as string).replace(/\/$/, ''),
    dataDir: resolve(text(env, 'MAILLAGE_DATA_DIR') ?? './data'),
    databaseUrl: url(env, 'DATABASE_URL', null, ['postgres:', 'postgresql:']),
    refDir: refDir === null ? BUNDLED_SNAPSHOTS : resolve(refDir),
    refSourceUrls: refSourceUrls(env),
    tileUrl: url(env, 'MAILLAGE_TILE_URL', null),
    tileAttribution: text(env, 'MAILLAGE_TILE_ATTRIBUTION') ?? '© les contributeurs d’OpenStreetMap',
    geocoder: oneOf(env, 'MAILLAGE_GEOCODER', ['local', 'ban'] as const, 'local'),
    banUrl: (url(env, 'MAILLAGE_BAN_URL', 'https://api-adresse.data.gouv.fr') as string).replace(/\/$/, ''),
    banTimeoutMs: integer(env, 'MAILLAGE_BAN_TIMEOUT_MS', 1500, 50, 30_000),
    adminToken,
    osrmUrl: url(env, 'MAILLAGE_OSRM_URL', null),
    datagouvUrl: url(env, 'MAILLAGE_DATAGOUV_URL', 'https://www.data.gouv.fr') as string,
    datagouvDataset: text(env, 'MAILLAGE_DATAGOUV_DATASET') ?? 'liste-des-structures-france-services',
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    nodeEnv,
    smtpUrl: url(env, 'MAILLAGE_SMTP_URL', null, ['smtp:', 'smtps:']),
    mailFrom: text(env, 'MAILLAGE_MAIL_FROM') ?? 'France Services <ne-pas-repondre@france-services.example>',
    proconnect: proconnectConfig(env),
    accountRetentionDays: integer(env, 'MAILLAGE_ACCOUNT_RETENTION_DAYS', 365, 1, 3650),
    auditCycleMonths: integer(env, 'MAILLAGE_AUDIT_CYCLE_MONTHS', 36, 1, 120),
    uploadMaxBytes: integer(env, 'MAILLAGE_UPLOAD_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    trustProxy: proxyList(env, 'MAILLAGE_TRUST_PROXY'),
    seed: oneOf(env, 'MAILLAGE_SEED', ['snapshot', 'none'] as const, 'snapshot'),
    secretThreshold: integer(env, 'MAILLAGE_SECRET_THRESHOLD', 11, 2, 1000),
    smsUrl: url(env, 'MAILLAGE_SMS_URL', null, ['http:', 'https:']),
    smsToken: text(env, 'MAILLAGE_SMS_TOKEN'),
  });
}

/** MAILLAGE_REF_URL_<SOURCE> variables; a misspelt name stops here rather than being silently ignored. */
function refSourceUrls(env: Env): Readonly<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const name of Object.keys(env).filter((n) => n.startsWith('MAILLAGE_REF_URL_'))) {
    if (!PRODUCER_URL_VARIABLES.includes(name))
      throw new ConfigError(
        name,
        `variable inconnue ; variables possibles : ${PRODUCER_URL_VARIABLES.join(', ')}.`,
      );
    const value = url(env, name, null);
    if (value) urls[name] = value;
  }
  return Object.freeze(urls);
}

/** A comma-separated list of IPv4/IPv6 addresses or CIDR ranges (`127.0.0.1, 10.0.0.0/8, ::1`). */
function proxyList(env: Env, name: string): readonly string[] {
  const raw = text(env, name);
  if (raw === null) return Object.freeze([]);
  const items = raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const item of items) {
    const [address = '', bits, extra] = item.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const badBits = bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max);
    if (family === 0 || badBits || extra !== undefined)
      throw new ConfigError(
        name,
        `adresse IP ou plage CIDR attendue (par exemple 127.0.0.1 ou 10.0.0.0/8), reçu « ${item} ».`,
      );
  }
  return Object.freeze(items);
}

function proconnectConfig(env: Env): Config['proconnect'] {
  const issuer = url(env, 'MAILLAGE_PROCONNECT_ISSUER', null);
  const clientId = text(env, 'MAILLAGE_PROCONNECT_CLIENT_ID');
  const clientSecret = text(env, 'MAILLAGE_PROCONNECT_CLIENT_SECRET');
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    throw new ConfigError(
      'MAILLAGE_PROCONNECT_ISSUER',
      'ProConnect demande les trois variables MAILLAGE_PROCONNECT_ISSUER, _CLIENT_ID et _CLIENT_SECRET.',
    );
  }
  return Object.freeze({ issuer, clientId, clientSecret });
}
