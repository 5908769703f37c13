/**
 * `maillage ref sync`: refreshes a reference folder without the bundled snapshot.
 * - From the producers (default): downloads the nine producer files (producer-sources.ts), converts them
 *   with the pure converters of src/domain/territory, and checks each result with the app's own parsers.
 * - From a mirror in our format (`format: 'reference'`): downloads the files by their reference names.
 * Either way nothing in the folder changes until every file is downloaded, converted and written: the
 * files go to a temporary folder inside it and are renamed into place at the very end. On any failure the
 * previous files stay as they were and a DomainError says which file, which line, and why.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DomainError } from '../../domain/shared/errors.js';
import {
  type ConvertedReference,
  convertProducerFiles,
  decodeProducerText,
  PRODUCER_INPUTS,
  type ProducerInput,
  type ProducerIssue,
  parseCantonOutlines,
} from '../../domain/territory/index.js';
import { PRODUCER_SOURCES, producerUrl } from './producer-sources.js';
import {
  CANTON_OUTLINES_FILE,
  folderIssues,
  REFERENCE_FILES,
  readReferenceFolder,
} from './reference-folder.js';
import { isZip, ZipError, zipEntry } from './zip-entry.js';

/** Our file for each converted table. */
const OUTPUT_FILES: Readonly<Record<keyof ConvertedReference, string>> = {
  ...REFERENCE_FILES,
  cantonOutlines: CANTON_OUTLINES_FILE,
};

/**
 * Fewest rows each file may have (a little under the 2025–2026 counts of ../shared/data): below, the
 * producer's file is truncated or not the one expected, and the folder is left as it was.
 */
export const MIN_ROWS: Readonly<Record<keyof ConvertedReference, number>> = {
  communes: 34_000,
  communeCantons: 34_000,
  cantons: 2_000,
  densite: 34_000,
  zrr: 34_000,
  qpv: 1_000,
  qpvCommunes: 1_000,
  departements: 100,
  cantonOutlines: 2_000,
};

/** Above this share of rejected rows a file is refused: the producer's format has likely changed. */
export const MAX_REJECTED_SHARE = 0.05;

/** Largest file once un-gzipped or unzipped. */
const MAX_EXPANDED_BYTES = 256 * 1024 * 1024;

export type SyncProgress =
  | { readonly step: 'download'; readonly file: string; readonly done: number; readonly total: number | null }
  | { readonly step: 'downloaded'; readonly file: string; readonly bytes: number }
  | { readonly step: 'convert' };

export interface RefSyncOptions {
  readonly out: string;
  /** Mirror base URL: replaces the scheme and host of every source, keeping its path and query. */
  readonly from?: string | undefined;
  /** `producteurs` (default): the producers' own files; `reference`: a mirror of files in our format. */
  readonly format?: 'producteurs' | 'reference';
  /** URLs that replace a source's whole URL, by variable name (config.refSourceUrls). */
  readonly urls?: Readonly<Record<string, string>>;
  readonly fetchImpl?: typeof fetch;
  readonly timeoutMs?: number;
  readonly onProgress?: (p: SyncProgress) => void;
  /** Tests and small mirrors: other download limits (by source), row floors (by file key), rejected share. */
  readonly limits?: {
    readonly maxBytes?: Partial<Record<ProducerInput, number>>;
    readonly minRows?: Partial<Record<keyof ConvertedReference, number>>;
    readonly maxRejectedShare?: number;
  };
}

export interface RefSyncReport {
  readonly format: 'producteurs' | 'reference';
  readonly out: string;
  readonly downloads: ReadonlyArray<{ source: string; url: string; bytes: number; encoding?: string }>;
  readonly files: ReadonlyArray<{
    file: string;
    rows: number;
    rejected: ProducerIssue[];
    skipped: number;
    notes: string[];
  }>;
}

const failure = (file: string, message: string) => new DomainError('invalid', `${file} : ${message}`, file);
const reason = (e: unknown) =>
  e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` : ${e.cause.message}` : ''}` : String(e);
/** 512 octets, 49 Ko, 1,5 Mo. */
export const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} octets`
    : bytes < 1024 * 1024
      ? `${Math.round(bytes / 1024)} Ko`
      : `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;

/**
 * One download, bounded: a declared or actual size above `maxBytes`, an HTML page, an HTTP error or a
 * body shorter than announced refuse the file.
 */
async function download(
  file: string,
  url: string,
  maxBytes: number,
  options: Pick<RefSyncOptions, 'fetchImpl' | 'timeoutMs' | 'onProgress'>,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 300_000),
      headers: { 'user-agent': 'maillage-ref-sync' },
    });
  } catch (e) {
    throw failure(file, `téléchargement impossible depuis ${url} (${reason(e)}).`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw failure(
      file,
      `${url} a répondu ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw failure(
      file,
      `${size(declared)} annoncés par ${url}, au-delà de la limite de ${size(maxBytes)} pour ce fichier.`,
    );
  }
  if (/text\/html/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel().catch(() => {});
    throw failure(file, `${url} a renvoyé une page HTML au lieu du fichier attendu.`);
  }
  if (!response.body) throw failure(file, `${url} a répondu sans contenu.`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw failure(
          file,
          `plus de ${size(maxBytes)} reçus de ${url} : au-delà de la limite pour ce fichier.`,
        );
      }
      chunks.push(value);
      options.onProgress?.({
        step: 'download',
        file,
        done: total,
        total: Number.isFinite(declared) ? declared : null,
      });
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw failure(file, `téléchargement interrompu après ${total} octets (${reason(e)}).`);
  }
  // fetch un-gzips a Content-Encoding, and Content-Length then counts the compressed bytes.
  if (Number.isFinite(declared) && !response.headers.get('content-encoding') && total !== declared)
    throw failure(file, `fichier tronqué : ${total} octets reçus sur ${declared} annoncés.`);
  options.onProgress?.({ step: 'downloaded', file, bytes: total });
  return Buffer.concat(chunks);
}

/** A gzip file is expanded; the wanted entry of a ZIP archive is taken out. */
function unpack(file: string, bytes: Uint8Array, zipName: string | undefined): Uint8Array {
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b)
      return gunzipSync(bytes, { maxOutputLength: MAX_EXPANDED_BYTES });
    if (zipName && isZip(bytes)) return zipEntry(bytes, zipName, MAX_EXPANDED_BYTES);
  } catch (e) {
    throw failure(file, e instanceof ZipError ? e.message : `décompression impossible (${reason(e)}).`);
  }
  return bytes;
}

/** Writes the files into a temporary folder inside `out`, then renames them into place, all or nothing. */
async function replaceFiles(
  out: string,
  files: ReadonlyArray<{ name: string; text: string }>,
): Promise<void> {
  const staging = await mkdtemp(join(out, '.ref-sync-'));
  try {
    for (const f of files) await writeFile(join(staging, f.name), f.text);
    for (const f of files) await rename(join(staging, f.name), join(out, f.name));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The producers' files → our folder. */
async function syncFromProducers(out: string, options: RefSyncOptions): Promise<RefSyncReport> {
  const texts = {} as Record<ProducerInput, string>;
  const labels = {} as Record<ProducerInput, string>;
  const downloads: Array<{ source: string; url: string; bytes: number; encoding: string }> = [];
  for (const id of PRODUCER_INPUTS) {
    const source = PRODUCER_SOURCES[id];
    const url = producerUrl(id, options);
    const maxBytes = options.limits?.maxBytes?.[id] ?? source.maxBytes;
    const received = await download(source.label, url, maxBytes, options);
    const { text, encoding } = decodeProducerText(
      unpack(source.label, received, source.zipEntry),
      source.label,
    );
    texts[id] = text;
    labels[id] = source.label;
    downloads.push({ source: source.label, url, bytes: received.length, encoding });
  }
  options.onProgress?.({ step: 'convert' });
  const converted = convertProducerFiles(texts, labels);
  const keys = Object.keys(OUTPUT_FILES) as Array<keyof ConvertedReference>;
  for (const key of keys) {
    const table = converted[key];
    const file = OUTPUT_FILES[key];
    const floor = options.limits?.minRows?.[key] ?? MIN_ROWS[key];
    if (table.rows < floor)
      throw failure(
        file,
        `${table.rows} ligne(s) seulement après conversion, au moins ${floor.toLocaleString('fr-FR')} attendues (fichier du producteur tronqué ou inattendu ?).${firstRejected(table.rejected)}`,
      );
    const share = table.rejected.length / (table.rows + table.rejected.length);
    const maxShare = options.limits?.maxRejectedShare ?? MAX_REJECTED_SHARE;
    if (share > maxShare)
      throw failure(
        file,
        `${table.rejected.length} ligne(s) rejetée(s) sur ${table.rows + table.rejected.length} (${Math.round(share * 100)} %), au-delà de ${Math.round(maxShare * 100)} % : le format du producteur a sans doute changé.${firstRejected(table.rejected)}`,
      );
  }
  await replaceFiles(
    out,
    keys.map((key) => ({ name: OUTPUT_FILES[key], text: converted[key].text })),
  );
  return {
    format: 'producteurs',
    out,
    downloads,
    files: keys.map((key) => ({
      file: OUTPUT_FILES[key],
      rows: converted[key].rows,
      rejected: converted[key].rejected,
      skipped: converted[key].skipped,
      notes: converted[key].notes,
    })),
  };
}

/** « ligne 12 » in a CSV, « élément 12 » in a JSON list or a GeoJSON file. */
export const issuePlace = (i: ProducerIssue) => `${/\.csv\b/.test(i.source) ? 'ligne' : 'élément'} ${i.line}`;

const firstRejected = (issues: readonly ProducerIssue[]) => {
  const i = issues[0];
  return i ? ` Premier rejet : ${i.source}, ${issuePlace(i)} [${i.field}] ${i.message}` : '';
};

/** A mirror of our own files (`--format reference`): the same names, checked by the app's readers. */
async function syncFromMirror(out: string, options: RefSyncOptions): Promise<RefSyncReport> {
  if (!options.from)
    throw new DomainError('invalid', 'Avec --format reference, donnez le miroir (--from <url>).', '--from');
  const base = options.from.replace(/\/+$/, '');
  const files: Array<{ name: string; text: string }> = [];
  const downloads: Array<{ source: string; url: string; bytes: number }> = [];
  for (const name of [...Object.values(REFERENCE_FILES), CANTON_OUTLINES_FILE]) {
    const url = `${base}/${name}`;
    let bytes: Uint8Array;
    try {
      bytes = await download(name, url, MAX_EXPANDED_BYTES, options);
    } catch (e) {
      // The canton outlines are optional in a reference folder (the coverage then uses its upper bound).
      if (name === CANTON_OUTLINES_FILE && e instanceof DomainError && / a répondu 404/.test(e.message))
        continue;
      throw e;
    }
    files.push({ name, text: decodeProducerText(unpack(name, bytes, undefined), name).text });
    downloads.push({ source: name, url, bytes: bytes.length });
  }
  // Checked in a scratch folder by the same readers as `ref load`, before anything is replaced.
  const rows = new Map<string, number>();
  const scratch = await mkdtemp(join(out, '.ref-check-'));
  try {
    for (const f of files) await writeFile(join(scratch, f.name), f.text);
    const folder = await readReferenceFolder(scratch);
    const issue = folderIssues(folder)[0];
    if (issue) throw failure(issue.file, `ligne ${issue.line} [${issue.field}] ${issue.message}`);
    for (const key of Object.keys(REFERENCE_FILES) as Array<keyof typeof REFERENCE_FILES>)
      rows.set(REFERENCE_FILES[key], folder[key].rows.length);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const outlines = files.find((f) => f.name === CANTON_OUTLINES_FILE);
  if (outlines) {
    const read = parseCantonOutlines(outlines.text);
    const issue = read.issues[0];
    if (issue) throw failure(CANTON_OUTLINES_FILE, `entité ${issue.line} [${issue.field}] ${issue.message}`);
    rows.set(CANTON_OUTLINES_FILE, read.outlines.size);
  }
  await replaceFiles(out, files);
  return {
    format: 'reference',
    out,
    downloads,
    files: files.map((f) => ({
      file: f.name,
      rows: rows.get(f.name) ?? 0,
      rejected: [],
      skipped: 0,
      notes: [],
    })),
  };
}

export async function syncReferenceFolder(options: RefSyncOptions): Promise<RefSyncReport> {
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  return options.format === 'reference' ? syncFromMirror(out, options) : syncFromProducers(out, options);
}
