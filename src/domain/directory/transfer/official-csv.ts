/**
 * Reading the official open data file « Liste des structures France services » (data.gouv.fr).
 * Pure: bytes in, structures and per-line issues out. Nothing is thrown for a bad row; a file that
 * cannot be read at all is refused as a whole with a French message.
 */
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DomainError, type RowIssue } from '../../shared/errors.js';
import { isInFrance } from '../../shared/geo.js';
import { type CodeInsee, departementOfCommune, isCodeInsee } from '../../shared/insee.js';
import { parseDayHours, type Weekday, weeklyHoursFromText } from '../opening-hours.js';
import { PARTNERS, type Structure, type StructureFormat, type StructureType } from '../structure.js';

/** A structure as the official file describes it: no storage fields, no back-office-only fields. */
export type StructureInput = Omit<
  Structure,
  'id' | 'version' | 'createdAt' | 'updatedAt' | 'status' | 'statusUntil' | 'closures' | 'description'
>;

/** What the writers accept: a full Structure, or a StructureInput straight from a file. */
export type StructureLike = StructureInput & Partial<Omit<Structure, keyof StructureInput>>;

export interface AcceptedRow {
  /** Physical line where the row starts (header = line 1). */
  line: number;
  structure: StructureInput;
}

export type OfficialCsvRead =
  | { ok: false; error: DomainError }
  | {
      ok: true;
      rows: AcceptedRow[];
      /** One issue per reason; a rejected row may have several. */
      rejected: RowIssue[];
      warnings: RowIssue[];
    };

export interface ReadOfficialCsvOptions {
  /** Provenance stored on each structure, e.g. the file name. */
  source?: string;
}

/** How the official file separates several addresses or numbers in one cell. */
export const LIST_SEPARATOR = ' - ';
/** A cell lists at most this many addresses or numbers (bounded work, bounded page). */
export const MAX_CONTACTS = 5;

export const OFFICIAL_COLUMNS = [
  'id_fs',
  'insee_dep',
  'lib_fs',
  'adresse',
  'complement_adresse',
  'insee_com',
  'code_postal',
  'lib_com',
  'latitude',
  'longitude',
  'mail',
  'telephone',
  'h_lundi',
  'h_mardi',
  'h_mercredi',
  'h_jeudi',
  'h_vendredi',
  'h_samedi',
  'prise_rdv',
  'commentaire',
  'type_fs',
  'format_fs',
  'groupe_fs',
  'labellisation_fs',
] as const;
export type OfficialColumn = (typeof OFFICIAL_COLUMNS)[number];

/** The days the official file lists (no Sunday column). */
export const OFFICIAL_DAYS = [
  'lundi',
  'mardi',
  'mercredi',
  'jeudi',
  'vendredi',
  'samedi',
] as const satisfies readonly Weekday[];
export const hoursColumn = <D extends Weekday>(day: D): `h_${D}` => `h_${day}`;

export const FORMAT_FROM_OFFICIAL: Readonly<Record<string, StructureFormat>> = {
  Fixe: 'fixe',
  Multisites: 'multisites',
  'Fixe_antenne(s)': 'fixe_antennes',
  Bus_équivalent: 'bus',
  Itinérante: 'itinerante',
};
export const FORMAT_TO_OFFICIAL: Readonly<Record<StructureFormat, string>> = {
  fixe: 'Fixe',
  multisites: 'Multisites',
  fixe_antennes: 'Fixe_antenne(s)',
  bus: 'Bus_équivalent',
  itinerante: 'Itinérante',
};
export const TYPE_FROM_OFFICIAL: Readonly<Record<string, StructureType>> = {
  Principal: 'principal',
  Antenne: 'antenne',
};
export const TYPE_TO_OFFICIAL: Readonly<Record<StructureType, string>> = {
  principal: 'Principal',
  antenne: 'Antenne',
};

/** Case, accents, spaces, hyphens and parentheses do not matter: `bus equivalent` = `Bus_équivalent`. */
const enumKey = (v: string) =>
  v
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[()]/g, '')
    .replace(/[\s\-_]+/g, '_')
    .replace(/^_|_$/g, '');

const lenient = <T>(official: Readonly<Record<string, T>>, aliases: Record<string, T>) =>
  new Map<string, T>([
    ...Object.entries(official).map(([k, v]) => [enumKey(k), v] as const),
    ...Object.entries(aliases),
  ]);

const FORMATS = lenient<StructureFormat>(FORMAT_FROM_OFFICIAL, {
  multi_sites: 'multisites',
  fixe_antenne: 'fixe_antennes',
  bus: 'bus',
  itinerant: 'itinerante',
});
const TYPES = lenient<StructureType>(TYPE_FROM_OFFICIAL, {});
const YES_NO = new Map([
  ['oui', true],
  ['non', false],
]);

/** Longest value accepted per column; beyond it the row is refused (nobody types a 300-character name). */
const MAX_LENGTH: Readonly<Partial<Record<OfficialColumn, number>>> = {
  id_fs: 50,
  lib_fs: 300,
  adresse: 300,
  complement_adresse: 300,
  lib_com: 150,
  groupe_fs: 300,
  commentaire: 5000,
  mail: 320,
  telephone: 40,
  h_lundi: 200,
  h_mardi: 200,
  h_mercredi: 200,
  h_jeudi: 200,
  h_vendredi: 200,
  h_samedi: 200,
  labellisation_fs: 100,
};

const LENGTH_LIMITS = Object.entries(MAX_LENGTH) as [OfficialColumn, number][];

const DEFAULT_SOURCE = 'datagouv-liste-structures-france-services';

export function readOfficialCsv(bytes: Uint8Array, options: ReadOfficialCsvOptions = {}): OfficialCsvRead {
  const warnings: RowIssue[] = [];
  const decoded = decode(bytes, warnings);
  if (decoded instanceof DomainError) return { ok: false, error: decoded };
  // One line ending everywhere, so that csv-parse counts physical lines correctly.
  const text = decoded.replace(/\r\n?/g, '\n');
  if (text.trim() === '') return refuse('Le fichier est vide.');

  const headerLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const delimiter = detectDelimiter(headerLine);

  const rejected: RowIssue[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error, raw) => {
        const lines = (error as { lines?: number } | undefined)?.lines ?? 0;
        rejected.push({
          line: lines - newlinesInside(typeof raw === 'string' ? raw.replace(/^\n+|\n$/g, '') : ''),
          field: 'ligne',
          message: `Ligne illisible (guillemets mal placés ?) : ${error?.message ?? 'erreur CSV'}. Elle est ignorée.`,
        });
      },
    }) as unknown as typeof records;
  } catch (e) {
    return refuse(`Le fichier n’est pas un CSV lisible : ${e instanceof Error ? e.message : String(e)}`);
  }

  const [header, ...body] = records;
  if (!header) return refuse('Le fichier est vide.');
  const columns = checkHeader(header.record);
  if (columns instanceof DomainError) return { ok: false, error: columns };

  const rows: AcceptedRow[] = [];
  const firstLineOfId = new Map<string, number>();
  const source = options.source ?? DEFAULT_SOURCE;
  for (const { record, info } of body) {
    // csv-parse gives the line where a record ends; only quoted fields can hold line breaks.
    let line = info.lines;
    for (const cell of record) line -= newlinesInside(cell);
    if (record.every((c) => c.trim() === '')) continue; // `;;;;` lines left by spreadsheets
    if (record.length !== OFFICIAL_COLUMNS.length) {
      rejected.push({
        line,
        field: 'ligne',
        message: `La ligne a ${record.length} colonnes au lieu de ${OFFICIAL_COLUMNS.length}.`,
      });
      continue;
    }
    const cells = {} as Record<OfficialColumn, string>;
    for (const [i, name] of columns.entries()) cells[name] = record[i] ?? '';
    const result = readRow(cells, line, source);
    if ('errors' in result) {
      rejected.push(...result.errors);
      continue;
    }
    const first = firstLineOfId.get(result.structure.idFs);
    if (first !== undefined) {
      rejected.push({
        line,
        field: 'id_fs',
        message: `Identifiant id_fs « ${result.structure.idFs} » déjà présent ligne ${first} : cette ligne est ignorée.`,
      });
      continue;
    }
    firstLineOfId.set(result.structure.idFs, line);
    rows.push({ line, structure: result.structure });
    warnings.push(...result.warnings);
  }
  return { ok: true, rows, rejected, warnings };
}

const refuse = (message: string): OfficialCsvRead => ({
  ok: false,
  error: new DomainError('invalid', message, 'fichier'),
});

function newlinesInside(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------- decoding

function decode(bytes: Uint8Array, warnings: RowIssue[]): string | DomainError {
  if (bytes.length === 0) return new DomainError('invalid', 'Le fichier est vide.', 'fichier');
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) {
    return new DomainError(
      'unsupported',
      'Le fichier est une archive ou un classeur Excel (.xlsx), pas un CSV : enregistrez-le au format CSV.',
      'fichier',
    );
  }
  if (b(0) === 0xff && b(1) === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (b(0) === 0xfe && b(1) === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  const start = b(0) === 0xef && b(1) === 0xbb && b(2) === 0xbf ? 3 : 0;
  const content = bytes.subarray(start);
  if (looksBinary(content)) {
    return new DomainError(
      'unsupported',
      'Le fichier n’est pas un fichier texte CSV (contenu binaire).',
      'fichier',
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    const loose = new TextDecoder('utf-8').decode(content);
    const at = loose.indexOf('\uFFFD');
    const line = at === -1 ? 1 : countLines(loose.slice(0, at).replace(/\r\n?/g, '\n'));
    warnings.push({
      line,
      field: 'encodage',
      message:
        'Le fichier n’est pas en UTF-8 (premier caractère invalide à cette ligne) : il a été lu en Windows-1252. Vérifiez les accents.',
    });
    return iconv.decode(content, 'win1252');
  }
}

const countLines = (s: string) => {
  let n = 1;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

/** NUL bytes, or many control characters, in the first 8 KiB: not a text file. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i] as number;
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) control++;
  }
  return n > 0 && control / n > 0.01;
}

function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

function checkHeader(header: string[]): OfficialColumn[] | DomainError {
  const names = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const known = new Set<string>(OFFICIAL_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  const missing = OFFICIAL_COLUMNS.filter((c) => !names.includes(c));
  const duplicated = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length === 0 && missing.length === 0 && duplicated.length === 0)
    return names as OfficialColumn[];
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`colonnes manquantes : ${missing.join(', ')}`);
  if (unknown.length > 0) parts.push(`colonnes inconnues : ${unknown.map((u) => u || '(vide)').join(', ')}`);
  if (duplicated.length > 0) parts.push(`colonnes en double : ${[...new Set(duplicated)].join(', ')}`);
  return new DomainError(
    'invalid',
    `L’en-tête ne correspond pas au format officiel des structures France services (${parts.join(' ; ')}).`,
    'en-tete',
  );
}

// ---------------------------------------------------------------------------------------------- one row

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const SCRIPT_OR_STYLE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const TAG = /<\/?[a-z][\w-]*(?:\s[^<>]*)?\/?>/gi;
const MARKUP = /<\/?[a-z][\w-]*(?:\s[^<>]*)?\/?>/i;
const hasMarkup = (s: string) => s.includes('<') && MARKUP.test(s);

/** A single-line value: control characters dropped, any run of white space (newlines too) made one space. */
const oneLine = (s: string) => s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
/** Free text: newlines kept, at most one blank line in a row. */
const multiLine = (s: string) =>
  s
    .replace(CONTROL, ' ')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
const stripMarkup = (s: string) => oneLine(s.replace(SCRIPT_OR_STYLE, ' ').replace(TAG, ' '));

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[a-z]{2,}$/i;
const PHONE = /^\+?[\d\s.\-()/]+$/;

type RowResult = { structure: StructureInput; warnings: RowIssue[] } | { errors: RowIssue[] };

function readRow(raw: Record<OfficialColumn, string>, line: number, source: string): RowResult {
  const errors: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  const reject = (field: string, message: string) => errors.push({ line, field, message });
  const warn = (field: string, message: string) => warnings.push({ line, field, message });

  for (const [col, max] of LENGTH_LIMITS) {
    if (raw[col].length > max)
      reject(col, `Valeur trop longue (${raw[col].length} caractères, au plus ${max}).`);
  }
  if (errors.length > 0) return { errors };

  // Text without markup: a name or an address has no reason to hold HTML.
  const plain = (col: OfficialColumn) => {
    const cleaned = oneLine(raw[col]);
    if (!hasMarkup(cleaned)) return cleaned;
    const stripped = stripMarkup(cleaned);
    warn(col, `Balises HTML retirées : « ${cleaned} » devient « ${stripped} ».`);
    return stripped;
  };

  const idFs = oneLine(raw.id_fs);
  if (idFs === '') reject('id_fs', 'Identifiant id_fs manquant.');
  const name = plain('lib_fs');
  if (name === '') reject('lib_fs', 'Nom de la structure (lib_fs) manquant.');

  let insee = oneLine(raw.insee_com).toUpperCase();
  if (/^\d{4}$/.test(insee)) {
    warn(
      'insee_com',
      `Code INSEE « ${insee} » complété en « 0${insee} » (zéro initial perdu par un tableur).`,
    );
    insee = `0${insee}`;
  }
  if (insee === '') reject('insee_com', 'Code INSEE de la commune (insee_com) manquant.');
  else if (!isCodeInsee(insee))
    reject('insee_com', `Code INSEE invalide : « ${insee} » (5 caractères attendus, ex. 02361).`);

  const type = readEnum('type_fs', raw.type_fs, TYPES, Object.keys(TYPE_FROM_OFFICIAL), reject);
  const format = readEnum('format_fs', raw.format_fs, FORMATS, Object.keys(FORMAT_FROM_OFFICIAL), reject);
  let appointment = false;
  const rdv = oneLine(raw.prise_rdv);
  if (rdv === '') warn('prise_rdv', 'prise_rdv vide : « Non » retenu.');
  else {
    const v = YES_NO.get(enumKey(rdv));
    if (v === undefined)
      reject('prise_rdv', `Valeur « ${rdv} » inconnue pour prise_rdv (valeurs admises : Oui, Non).`);
    else appointment = v;
  }

  const days: Partial<Record<Weekday, string | null>> = {};
  for (const day of OFFICIAL_DAYS) days[day] = oneLine(raw[hoursColumn(day)]) || null;
  let hours: Structure['hours'] | undefined;
  try {
    const parsed = weeklyHoursFromText(days);
    hours = parsed.hours;
    for (const c of parsed.changes) warn(hoursColumn(c.day), c.message);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const culprit = OFFICIAL_DAYS.find((d) => {
      const text = days[d];
      if (!text) return false;
      try {
        parseDayHours(text, hoursColumn(d));
        return false;
      } catch {
        return true;
      }
    });
    reject(culprit ? hoursColumn(culprit) : (e.field ?? 'horaires'), e.message);
  }

  if (errors.length > 0 || type === undefined || format === undefined || hours === undefined)
    return { errors };

  const departement = departementOfCommune(insee as CodeInsee);
  let dep = oneLine(raw.insee_dep).toUpperCase();
  if (/^\d$/.test(dep)) dep = `0${dep}`;
  if (dep !== '' && dep !== departement) {
    warn(
      'insee_dep',
      `Département « ${dep} » incohérent avec le code INSEE ${insee} : ${departement} retenu.`,
    );
  }

  let postalCode = oneLine(raw.code_postal);
  if (/^\d{4}$/.test(postalCode)) {
    warn('code_postal', `Code postal « ${postalCode} » complété en « 0${postalCode} ».`);
    postalCode = `0${postalCode}`;
  } else if (postalCode === '') warn('code_postal', 'Code postal manquant.');
  else if (!/^\d{5}$/.test(postalCode)) {
    warn('code_postal', `Code postal invalide « ${postalCode} » : ignoré.`);
    postalCode = '';
  }

  const address = plain('adresse');
  if (address === '') warn('adresse', 'Adresse manquante.');
  const communeName = plain('lib_com');
  if (communeName === '') warn('lib_com', 'Nom de la commune (lib_com) manquant.');

  const { lat, lon } = readCoordinates(raw.latitude, raw.longitude, warn);

  const comment = multiLine(raw.commentaire);
  if (hasMarkup(comment))
    warn('commentaire', 'Le commentaire contient des balises HTML : il est gardé comme texte brut.');

  const structure: StructureInput = {
    idFs,
    name,
    type,
    format,
    group: plain('groupe_fs') || null,
    address,
    addressComplement: plain('complement_adresse') || null,
    codeInsee: insee,
    postalCode,
    communeName,
    departement,
    lat,
    lon,
    emails: readEmails(raw.mail, warn),
    telephones: readPhones(raw.telephone, warn),
    hours,
    appointment,
    comment: comment || null,
    // The official file does not list partners; the charte France services requires all nine in every structure.
    partners: [...PARTNERS],
    labelledOn: readLabel(raw.labellisation_fs, warn),
    source,
  };
  return { structure, warnings };
}

function readEnum<T>(
  field: string,
  value: string,
  lookup: Map<string, T>,
  allowed: string[],
  reject: (field: string, message: string) => void,
): T | undefined {
  const v = oneLine(value);
  const found = v === '' ? undefined : lookup.get(enumKey(v));
  if (found === undefined) {
    reject(
      field,
      v === ''
        ? `${field} manquant (valeurs admises : ${allowed.join(', ')}).`
        : `Valeur « ${v} » inconnue pour ${field} (valeurs admises : ${allowed.join(', ')}).`,
    );
  }
  return found;
}

function parseCoordinate(s: string): number | null | undefined {
  const v = s.trim().replace(/\s/g, '');
  if (v === '') return null;
  const dotted = /^[-+]?\d+,\d+$/.test(v) ? v.replace(',', '.') : v;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)$/.test(dotted)) return undefined;
  return Number(dotted);
}

function readCoordinates(
  latText: string,
  lonText: string,
  warn: (field: string, message: string) => void,
): { lat: number | null; lon: number | null } {
  const none = { lat: null, lon: null };
  const lat = parseCoordinate(latText);
  const lon = parseCoordinate(lonText);
  if (lat === null && lon === null) {
    warn('latitude', 'Coordonnées absentes : la structure ne sera pas placée sur la carte.');
    return none;
  }
  if (lat === undefined || lon === undefined || lat === null || lon === null) {
    const field = lat === undefined || lat === null ? 'latitude' : 'longitude';
    warn(
      field,
      `Coordonnées incomplètes ou illisibles (« ${latText.trim()} », « ${lonText.trim()} ») : ignorées.`,
    );
    return none;
  }
  if (isInFrance({ lat, lon })) return { lat, lon };
  if (isInFrance({ lat: lon, lon: lat })) {
    warn('latitude', `Latitude et longitude inversées (${lat}, ${lon}) : corrigées.`);
    return { lat: lon, lon: lat };
  }
  warn(
    'latitude',
    `Coordonnées hors de France (${lat}, ${lon}) : ignorées, la structure reste trouvable par sa commune.`,
  );
  return none;
}

/** Every valid address of the cell, in order; an invalid part is reported and left out. */
function readEmails(value: string, warn: (field: string, message: string) => void): string[] {
  const v = oneLine(value);
  if (v === '') return [];
  const parts = v.split(/\s+-\s+|[\s,;/]+/).filter(Boolean);
  const good = parts.filter((p) => EMAIL.test(p)).slice(0, MAX_CONTACTS);
  const bad = parts.filter((p) => !EMAIL.test(p));
  if (good.length === 0) warn('mail', `Adresse électronique invalide « ${v} » : ignorée.`);
  else if (bad.length) warn('mail', `Partie invalide ignorée dans « ${v} » : « ${bad.join(' ')} ».`);
  if (parts.length > MAX_CONTACTS)
    warn(
      'mail',
      `Plus de ${MAX_CONTACTS} adresses dans « ${v} » : les ${MAX_CONTACTS} premières sont gardées.`,
    );
  return good;
}

/**
 * Every valid number of the cell, in order. Numbers are split on « / », « ; », « , », « ou » and
 * « - » between spaces (a dash without spaces stays inside a number: 03-23-45-67-89).
 */
function readPhones(value: string, warn: (field: string, message: string) => void): string[] {
  const v = oneLine(value);
  if (v === '') return [];
  const valid = (p: string) => {
    const digits = p.replace(/\D/g, '').length;
    return PHONE.test(p) && digits >= 6 && digits <= 15;
  };
  if (valid(v)) return [v];
  const parts = v
    .split(/\s+-\s+|\s*[/;,]\s*|\s+ou\s+/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const good = parts.filter(valid).slice(0, MAX_CONTACTS);
  if (good.length === 0 || good.length < parts.length) {
    warn(
      'telephone',
      `Numéro de téléphone invalide « ${v} » : ${good.length ? 'en partie ignoré' : 'ignoré'}.`,
    );
  }
  return good;
}

/** `Espace labellisé 01/02/2020` (or an ISO date) to `2020-02-01`. */
function readLabel(value: string, warn: (field: string, message: string) => void): string | null {
  const v = oneLine(value);
  if (v === '') return null;
  const fr = /(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(v);
  const iso = /(\d{4})-(\d{2})-(\d{2})/.exec(v);
  const [y, m, d] = fr ? [fr[3], fr[2], fr[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (y && m && d) {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (
      date.getUTCFullYear() === Number(y) &&
      date.getUTCMonth() === Number(m) - 1 &&
      date.getUTCDate() === Number(d)
    ) {
      return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    }
  }
  warn('labellisation_fs', `Date de labellisation illisible « ${v} » : ignorée.`);
  return null;
}
