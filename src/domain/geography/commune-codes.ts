import type { CommuneRecord } from './communes.js';

/**
 * Every INSEE code a commune answers to, and the current code it resolves to: the same answer as
 * `CommuneRegistry.resolve(code)?.code`, without the registry's names, postal codes and centroids.
 * Checking a million `commune_usager` cells needs this map only (about 2 MB instead of the registry's
 * 75 MB): it is shipped as snapshots/commune-codes.csv.gz, built from the same package.
 */
export class CommuneCodes {
  readonly #current: ReadonlyMap<string, string>;

  constructor(current: ReadonlyMap<string, string>) {
    this.#current = current;
  }

  get size(): number {
    return this.#current.size;
  }

  /** The current code for a code (current, old, délégué/associé, arrondissement), or null when unknown. */
  resolve(code: string): string | null {
    return this.#current.get(code) ?? null;
  }

  /** `code,actuel` lines, `actuel` empty when the code is current: the snapshot's text. */
  toCsv(): string {
    const lines = ['code,actuel'];
    for (const [code, current] of [...this.#current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      lines.push(`${code},${code === current ? '' : current}`);
    return `${lines.join('\n')}\n`;
  }

  /** Reads the snapshot's text; a malformed line throws, naming it (a snapshot is never half-read). */
  static parse(text: string): CommuneCodes {
    const lines = text.split(/\r?\n/);
    if (lines[0]?.replace(/^\uFEFF/, '') !== 'code,actuel')
      throw new Error('Codes des communes : en-tête « code,actuel » attendu.');
    const current = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === '') continue;
      const m = /^([0-9][0-9AB][0-9]{3}),([0-9][0-9AB][0-9]{3})?$/.exec(line);
      if (!m) throw new Error(`Codes des communes : ligne ${i + 1} illisible (« ${line.slice(0, 40)} »).`);
      current.set(m[1] as string, m[2] ?? (m[1] as string));
    }
    return new CommuneCodes(current);
  }

  /** From the official records, by the registry's rules (so that both resolve every code alike). */
  static fromRecords(records: readonly CommuneRecord[]): CommuneCodes {
    const current = new Set<string>();
    const aliases = new Map<string, string>();
    for (const r of records) {
      if (r.type === 'commune-actuelle' || r.type === 'arrondissement-municipal') {
        current.add(r.code);
        for (const old of r.anciensCodes ?? []) if (!aliases.has(old)) aliases.set(old, r.code);
      }
    }
    for (const r of records)
      if (
        (r.type === 'commune-deleguee' || r.type === 'commune-associee') &&
        r.chefLieu &&
        !current.has(r.code)
      )
        aliases.set(r.code, r.chefLieu);
    const map = new Map<string, string>();
    for (const code of current) map.set(code, code);
    for (const [alias, target] of aliases)
      if (!current.has(alias) && current.has(target)) map.set(alias, target);
    return new CommuneCodes(map);
  }
}
