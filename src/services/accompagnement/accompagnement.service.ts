import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import type { RecordInsert, RecordRow } from '../../db/repositories/accompagnement.repository.js';
import * as repo from '../../db/repositories/accompagnement.repository.js';
import { recordBatch } from '../../db/repositories/accompagnement.repository.js';
import {
  findStructureById,
  findStructuresByIdFs,
  structureKeys,
} from '../../db/repositories/directory.repository.js';
import {
  type AccompagnementInput,
  accompagnement,
  CATALOGUE_RELEASE,
  type Demarche,
  isCom,
  localDay,
  localDayRange,
  localTime,
  newDemarche,
  type Partenaire,
  parseStatsDimension,
  parseStatsRange,
  parseStatsTerritory,
  type RecordRules,
  type StatsReport,
  statsReport,
  zoneOfStructure,
} from '../../domain/accompagnement/index.js';
import { can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { CommuneCodes } from '../../domain/geography/index.js';
import { conflict, DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import type { TimeZone } from '../../domain/shared/time-zone.js';
import { randomToken, sha256 } from '../accounts/tokens.js';
import type { Geography } from '../geography/load-geography.js';
import type { ImportSetup } from './import-reader.js';
import {
  CONTENT_FIELDS,
  type ContentField,
  checkBatch,
  type ItemIssue,
  mergeKept,
  type StructureRef,
  sameContent,
  toRow,
} from './record-rows.js';

export type { ItemIssue, StructureRef } from './record-rows.js';

/**
 * Who writes or reads accompaniments:
 * - a signed-in user (agent, responsable…), checked against the policy for each structure;
 * - a per-structure API token (a previous tool, the bus tablet), for that structure only;
 * - the operator of the CLI (bulk import), who may write for any structure.
 */
export type Caller =
  | { readonly kind: 'user'; readonly principal: Principal }
  | { readonly kind: 'token'; readonly structureId: string }
  | { readonly kind: 'operator' };

/**
 * How an import's batches keep the pilotage rollups: added in each batch's transaction, like a form or an
 * API write (`in_transaction`), or only their months marked, each rebuilt whole afterwards (`rebuild_after`,
 * far cheaper for a large file, but a month's rebuild holds that month's lock). import.service.ts chooses.
 */
export type ImportRollups = 'in_transaction' | 'rebuild_after';

export interface BatchOutcome {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: readonly ItemIssue[];
}

export const BATCH_MAX = 500;
export const LIST_MAX = 200;
const CATALOGUE_TTL_MS = 60_000;

/** The accompaniment capability's application service (issue 12). */
export class AccompagnementService {
  #catalogue: { at: number; byCode: Map<string, repo.DemarcheRow> } | null = null;
  #seeded: Promise<void> | null = null;
  #partitions: Promise<Set<string>> | null = null;
  readonly #structures = new Map<string, StructureRef | null>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /**
     * Read on first use: the communes' codes check `commune_usager` (an import needs nothing else of the
     * geography); the departments and regions scope statistics.
     */
    private readonly places: {
      readonly communeCodes: () => CommuneCodes;
      readonly geography: () => Geography;
    },
    private readonly logger?: Logger,
    /** Kept exact in each write transaction: the pilotage rollups (issue 14). */
    private readonly onWrite?: repo.WriteListener,
  ) {}

  // ------------------------------------------------------------------- catalogue

  /** The living catalogue: the committed release (seeded once) plus the national team's changes. */
  async catalogue(): Promise<Map<string, repo.DemarcheRow>> {
    const now = Date.now();
    if (this.#catalogue && now - this.#catalogue.at < CATALOGUE_TTL_MS) return this.#catalogue.byCode;
    this.#seeded ??= repo.seedDemarches(this.db, CATALOGUE_RELEASE.demarches, CATALOGUE_RELEASE.version);
    await this.#seeded;
    const rows = await repo.listDemarches(this.db);
    this.#catalogue = { at: now, byCode: new Map(rows.map((r) => [r.code, r])) };
    return this.#catalogue.byCode;
  }

  async activeDemarches(): Promise<Demarche[]> {
    const all = await this.catalogue();
    return [...all.values()]
      .filter((d) => d.retired_at === null)
      .map((d) => ({
        code: d.code,
        partenaire: d.partenaire as Partenaire,
        label: d.label,
        ficheId: d.fiche_id,
      }));
  }

  async addDemarche(input: { code?: unknown; partenaire?: unknown; label?: unknown; ficheId?: unknown }) {
    const checked = newDemarche(input);
    if (!checked.ok) throw invalid(checked.field, checked.message);
    await this.catalogue();
    if (!(await repo.insertDemarche(this.db, checked.value)))
      throw conflict(`La démarche « ${checked.value.code} » existe déjà.`, 'code');
    this.#catalogue = null;
    return checked.value;
  }

  async retireDemarche(code: string): Promise<void> {
    await this.catalogue();
    if (!(await repo.retireDemarche(this.db, code, this.clock.now())))
      throw notFound(`Aucune démarche active « ${code.slice(0, 64)} ».`);
    this.#catalogue = null;
  }

  // The national team's catalogue page: the same operations as the CLI, behind the policy.

  #mayManageCatalogue(principal: Principal): void {
    if (!can(principal, 'accompagnement.catalogue', {})) throw notFound();
  }

  /** Every démarche, retired ones included (with their date), by partner then label. */
  async catalogueFor(principal: Principal): Promise<repo.DemarcheRow[]> {
    this.#mayManageCatalogue(principal);
    return [...(await this.catalogue()).values()].sort(
      (a, b) => a.partenaire.localeCompare(b.partenaire) || a.label.localeCompare(b.label, 'fr'),
    );
  }

  async addDemarcheAs(
    principal: Principal,
    input: { code?: unknown; partenaire?: unknown; label?: unknown; ficheId?: unknown },
  ): Promise<Demarche> {
    this.#mayManageCatalogue(principal);
    return this.addDemarche(input);
  }

  async retireDemarcheAs(principal: Principal, code: string): Promise<void> {
    this.#mayManageCatalogue(principal);
    await this.retireDemarche(code);
  }

  async rules(): Promise<RecordRules> {
    const catalogue = await this.catalogue();
    const communes = this.places.communeCodes();
    return {
      now: this.clock.now(),
      resolveCommune: (code) => communes.resolve(code),
      activeDemarche: (code) => {
        const d = catalogue.get(code);
        return d && d.retired_at === null ? { partenaire: d.partenaire as Partenaire } : null;
      },
    };
  }

  // ------------------------------------------------------------------- structures

  async #resolveStructures(idFs: readonly string[]): Promise<void> {
    const missing = [...new Set(idFs)].filter((id) => !this.#structures.has(id));
    if (missing.length === 0) return;
    const found = await findStructuresByIdFs(this.db, missing);
    for (const id of missing) {
      const s = found.get(id);
      this.#structures.set(
        id,
        s ? { id: s.id, idFs: s.idFs, departement: s.departement, zone: zoneOfStructure(s.codeInsee) } : null,
      );
    }
    if (this.#structures.size > 20_000) this.#structures.clear();
  }

  #mayWrite(caller: Caller, s: StructureRef): boolean {
    if (caller.kind === 'operator') return true;
    if (caller.kind === 'token') return caller.structureId === s.id;
    return can(caller.principal, 'accompagnement.record', { structureId: s.id, departement: s.departement });
  }

  async #ensurePartitions(months: readonly string[]): Promise<void> {
    this.#partitions ??= repo.existingPartitions(this.db);
    const known = await this.#partitions;
    for (const m of months) {
      if (known.has(m)) continue;
      await repo.createMonthPartition(this.db, m);
      known.add(m);
    }
  }

  // ------------------------------------------------------------------- writing

  /** What an import's reading thread needs to check rows without the database (import-reader.ts). */
  async importSetup(
    file: string,
    sizes: Pick<ImportSetup, 'batchSize' | 'batchBytes' | 'windowRows' | 'windowBytes'>,
  ): Promise<ImportSetup> {
    const catalogue = await this.catalogue();
    const structures = await structureKeys(this.db);
    return {
      file,
      now: this.clock.now().toISOString(),
      demarches: [...catalogue.values()]
        .filter((d) => d.retired_at === null)
        .map((d) => [d.code, d.partenaire] as const),
      structures: structures.map((s) => ({
        id: s.id,
        idFs: s.id_fs,
        departement: s.departement,
        zone: zoneOfStructure(s.code_insee),
      })),
      ...sizes,
    };
  }

  /**
   * Checks and writes a batch.
   * - `mode: 'api'` (API, forms): all or nothing. Any invalid item, or an id already stored with a
   *   different content, rejects the whole batch (the first problem is thrown, naming `items[i].field`).
   *   The same id with the same content is "unchanged": retries are idempotent.
   * - `mode: 'import'` (CLI): invalid rows are reported and skipped; an id already stored with a
   *   different content is updated (the file is the source), keeping what the file does not carry.
   */
  async writeBatch(
    caller: Caller,
    inputs: readonly AccompagnementInput[],
    options: {
      readonly mode: 'api' | 'import';
      readonly source: string;
      readonly agentId?: string | null;
      /** Index reported for item i (CSV line numbers); defaults to i. */
      readonly indexOf?: (i: number) => number;
      /** Columns the import file carries (others are kept on update). */
      readonly presentFields?: readonly ContentField[];
    },
  ): Promise<BatchOutcome> {
    if (options.mode === 'api' && inputs.length > BATCH_MAX)
      throw new DomainError('too_large', `Un lot compte au plus ${BATCH_MAX} accompagnements.`, 'items');
    const rules = await this.rules();
    const idFs = inputs.flatMap((input) => {
      const v = input.id_fs;
      if (typeof v === 'string' && v.trim() !== '') return [v.trim()];
      return typeof v === 'number' && Number.isFinite(v) ? [String(v)] : [];
    });
    await this.#resolveStructures(idFs);
    const checked = checkBatch(inputs, {
      rules,
      structureOf: (idFs) => this.#structures.get(idFs),
      mayWrite: (s) => this.#mayWrite(caller, s),
      indexOf: options.indexOf ?? ((i: number) => i),
      agentId: options.agentId ?? null,
      source: options.source,
    });
    if (options.mode === 'api' && checked.rejected.length > 0)
      throw batchError(checked.rejected[0] as ItemIssue, 'invalid');
    const outcome = await this.#write(recordBatch(checked.rows), {
      mode: options.mode,
      presentFields: options.presentFields,
      indexOfId: (id) => checked.indexOf[checked.rows.findIndex((r) => r.id === id)] ?? 0,
    });
    return {
      ...outcome,
      unchanged: outcome.unchanged + checked.unchanged,
      rejected: checked.rejected,
    };
  }

  /**
   * Writes rows an import's reading thread checked and serialised (import.worker.ts): ids already
   * stored with a different content are updated (the file is the source), keeping what the file does
   * not carry. The operator's caller: any structure.
   */
  async writeImportBatch(
    batch: repo.RecordBatch,
    presentFields: readonly ContentField[],
    rollups: ImportRollups = 'rebuild_after',
  ): Promise<{ created: number; updated: number; unchanged: number }> {
    return this.#write(batch, { mode: 'import', presentFields, indexOfId: () => 0, rollups });
  }

  async #write(
    batch: repo.RecordBatch,
    options: {
      readonly mode: 'api' | 'import';
      readonly presentFields?: readonly ContentField[];
      readonly indexOfId: (id: string) => number;
      readonly rollups?: ImportRollups;
    },
  ): Promise<{ created: number; updated: number; unchanged: number }> {
    await this.#ensurePartitions(batch.partitionMonths);
    const fields = options.mode === 'import' ? (options.presentFields ?? CONTENT_FIELDS) : CONTENT_FIELDS;
    let updated = 0;
    let conflictIssue: ItemIssue | null = null;
    const written = await repo.writeBatch(
      this.db,
      batch,
      this.clock.now(),
      (existing, rows) => {
        const replace: RecordInsert[] = [];
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const [id, stored] of existing) {
          const row = byId.get(id) as RecordInsert;
          if (sameContent(row, stored, fields)) continue;
          if (options.mode === 'api') {
            conflictIssue = {
              index: options.indexOfId(id),
              field: 'id',
              message:
                'Cet identifiant désigne déjà un autre accompagnement (contenu différent) : rien n’a été enregistré. Pour corriger un accompagnement, utilisez la correction dans l’espace.',
            };
            return { abort: true };
          }
          replace.push(mergeKept(row, stored, fields));
        }
        updated = replace.length;
        return { abort: false, replace };
      },
      this.onWrite,
      options.mode === 'import' && options.rollups !== 'in_transaction',
    );
    if (written === null) throw batchError(conflictIssue as unknown as ItemIssue, 'conflict');
    return { created: written.created, updated, unchanged: batch.size - written.created - updated };
  }

  // ------------------------------------------------------------------- reading

  /** Records of a structure the caller may read, newest first, bounded and paginated. */
  async list(
    caller: Caller,
    query: {
      structureId?: string;
      limit?: number;
      before?: { debut: Date; id: string } | null;
      from?: Date;
      to?: Date;
    },
  ): Promise<RecordRow[]> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), LIST_MAX);
    let structureId: string;
    let agentId: string | undefined;
    if (caller.kind === 'token') structureId = caller.structureId;
    else if (caller.kind === 'operator') {
      if (!query.structureId) throw invalid('structure', 'Indiquez la structure.');
      structureId = query.structureId;
    } else {
      const p = caller.principal;
      const id = query.structureId ?? p.structureIds[0];
      if (!id) throw notFound('Vous n’êtes rattaché(e) à aucune structure.');
      structureId = id;
      const target = { structureId: id };
      if (can(p, 'accompagnement.read', target)) agentId = undefined;
      else if (can(p, 'accompagnement.record', target)) agentId = p.id;
      else throw notFound('Cette structure ne fait pas partie de votre périmètre.');
    }
    return repo.listRecords(this.db, {
      structureId,
      agentId,
      limit,
      before: query.before ?? undefined,
      from: query.from,
      to: query.to,
    });
  }

  /** The agent's own records of the current local day (their "today" list, with correction). */
  async todayOf(principal: Principal, structureId: string): Promise<RecordRow[]> {
    const now = this.clock.now();
    const zone = zoneOfStructure((await findStructureById(this.db, structureId))?.codeInsee ?? null);
    const day = localDay(now, zone);
    const { start, end } = localDayRange(day, day, zone);
    if (!can(principal, 'accompagnement.record', { structureId })) throw notFound();
    return repo.listRecords(this.db, {
      structureId,
      agentId: principal.id,
      from: start,
      to: end,
      limit: LIST_MAX,
    });
  }

  /** One record the user may correct: their own, recorded today (local day). */
  async correctable(principal: Principal, id: string): Promise<RecordRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound();
    const row = (await repo.findRecords(this.db, [id.toLowerCase()])).get(id.toLowerCase());
    const zone = zoneOfStructure(
      row ? ((await findStructureById(this.db, row.structure_id))?.codeInsee ?? null) : null,
    );
    if (
      !row ||
      row.agent_id !== principal.id ||
      !can(principal, 'accompagnement.record', { structureId: row.structure_id }) ||
      localDay(new Date(row.debut), zone) !== localDay(this.clock.now(), zone)
    )
      throw notFound('Accompagnement introuvable, ou plus corrigeable (seuls les vôtres du jour le sont).');
    return row;
  }

  /** Corrects one of the user's records of the day; its id stays. */
  async correct(principal: Principal, id: string, input: AccompagnementInput): Promise<void> {
    const row = await this.correctable(principal, id);
    const rules = await this.rules();
    const r = accompagnement({ ...input, id: row.id }, rules);
    if (!r.ok) throw invalid(r.issues[0]?.field ?? 'id', r.issues[0]?.message ?? 'Valeur invalide.');
    await this.#resolveStructures([r.value.structureIdFs]);
    const s = this.#structures.get(r.value.structureIdFs);
    if (!s || s.id !== row.structure_id)
      throw invalid('id_fs', 'La structure d’un accompagnement ne change pas.');
    const next = { ...toRow(r.value, s, principal.id, row.source) };
    const batch = recordBatch([next]);
    await this.#ensurePartitions(batch.partitionMonths);
    await repo.writeBatch(
      this.db,
      batch,
      this.clock.now(),
      () => ({ abort: false, replace: [next] }),
      this.onWrite,
    );
  }

  // ------------------------------------------------------------------- statistics

  /**
   * Aggregates only (counts, minutes): never a record, never a note. A user needs
   * `accompagnement.stats` on the territory; the CLI operator may ask anything.
   */
  async stats(
    query: { territory?: unknown; from?: unknown; to?: unknown; by?: unknown },
    viewer: Principal | 'operator',
  ): Promise<StatsReport> {
    const territory = parseStatsTerritory(query.territory);
    const { from, to } = parseStatsRange(query.from, query.to);
    const by = parseStatsDimension(query.by);
    let departements: string[] | undefined;
    let structureId: string | undefined;
    let target: { structureId?: string; departement?: string } = {};
    switch (territory.kind) {
      case 'FR':
        departements = [...this.places.geography().departements.keys()].filter((d) => !isCom(d));
        break;
      case 'reg':
        departements = [...this.places.geography().departements.values()]
          .filter((d) => d.region === territory.value && !isCom(d.code))
          .map((d) => d.code);
        if (departements.length === 0) throw invalid('territory', `Région inconnue : ${territory.value}.`);
        break;
      case 'dep':
        if (!this.places.geography().departements.has(territory.value))
          throw invalid('territory', `Département inconnu : ${territory.value}.`);
        departements = [territory.value];
        target = { departement: territory.value };
        break;
      case 'structure': {
        await this.#resolveStructures([territory.value]);
        const s = this.#structures.get(territory.value);
        if (!s) throw invalid('territory', `Structure inconnue : ${territory.value}.`);
        structureId = s.id;
        target = { structureId: s.id, departement: s.departement };
        break;
      }
    }
    if (viewer !== 'operator' && !can(viewer, 'accompagnement.stats', target))
      throw notFound('Ce territoire ne fait pas partie de votre périmètre.');
    // Local days of any zone lie within ±14 h of the same UTC days: a margin that keeps pruning exact.
    const { start, end } = localDayRange(from, to, 'UTC');
    const rows = await repo.aggregateRecords(
      this.db,
      {
        fromDay: from,
        toDay: to,
        fromInstant: new Date(start.getTime() - 14 * 3_600_000),
        toInstant: new Date(end.getTime() + 14 * 3_600_000),
        departements,
        structureId,
      },
      by,
    );
    return statsReport({ territory: territory.code, from, to, by }, rows);
  }

  /** A page of the caller's structure's records for the API, with the cursor of the next page. */
  async exchangePage(
    caller: Caller,
    query: { limit?: number; cursor?: string },
  ): Promise<{ items: ExchangeRecord[]; next: string | null }> {
    const { rows, next } = await this.page(caller, query);
    const structureId = rows[0]?.structure_id;
    const s = structureId ? await findStructureById(this.db, structureId) : null;
    return { items: rows.map((r) => toExchange(r, s?.idFs ?? '')), next };
  }

  /** A page of records (newest first) and the cursor of the next one (`<ISO instant>_<id>`). */
  async page(
    caller: Caller,
    query: { limit?: number; cursor?: string; structureId?: string },
  ): Promise<{ rows: RecordRow[]; next: string | null }> {
    let before: { debut: Date; id: string } | null = null;
    if (query.cursor) {
      const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)_([0-9a-f-]{36})$/.exec(query.cursor);
      const at = m ? new Date(m[1] as string) : null;
      if (!m || !at || Number.isNaN(at.getTime())) throw invalid('cursor', 'Curseur de page invalide.');
      before = { debut: at, id: m[2] as string };
    }
    const limit = Math.min(Math.max(1, query.limit ?? 100), LIST_MAX);
    const rows = await this.list(caller, { limit, before, structureId: query.structureId });
    const last = rows[rows.length - 1];
    return {
      rows,
      next: rows.length === limit && last ? `${new Date(last.debut).toISOString()}_${last.id}` : null,
    };
  }

  // ------------------------------------------------------------------- API tokens

  /** A new token for a structure: returned once, only its hash is stored. */
  async createToken(principal: Principal, structureId: string, label: string): Promise<string> {
    if (!can(principal, 'accompagnement.tokens', { structureId })) throw notFound();
    const name = label.trim();
    if (name.length < 2 || name.length > 80) throw invalid('label', 'Nom du jeton : de 2 à 80 caractères.');
    const token = `mfs_${randomToken()}`;
    await repo.insertApiToken(this.db, {
      structureId,
      label: name,
      tokenHash: sha256(token),
      createdBy: principal.id,
      at: this.clock.now(),
    });
    return token;
  }

  async tokens(principal: Principal, structureId: string) {
    if (!can(principal, 'accompagnement.tokens', { structureId })) throw notFound();
    return repo.listApiTokens(this.db, structureId);
  }

  async revokeToken(principal: Principal, structureId: string, tokenId: string): Promise<void> {
    if (!can(principal, 'accompagnement.tokens', { structureId })) throw notFound();
    if (
      !/^[0-9a-f-]{36}$/i.test(tokenId) ||
      !(await repo.revokeApiToken(this.db, structureId, tokenId, this.clock.now()))
    )
      throw notFound('Jeton introuvable ou déjà révoqué.');
  }

  /** The caller a bearer token stands for, or null (unknown, revoked). */
  async authenticateToken(token: string): Promise<Caller | null> {
    if (!/^mfs_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const structureId = await repo.useApiToken(this.db, sha256(token), this.clock.now());
    return structureId ? { kind: 'token', structureId } : null;
  }

  // ------------------------------------------------------------------- the counter form

  /** The structure a user works for (first membership by default), checked against an action. */
  /**
   * An accompaniment handed to a partner's référent (result `escalade`), for the case created from it
   * (issue 13): only a record of one of the principal's structures; null otherwise.
   */
  async escaladeSource(
    principal: Principal,
    id: string,
  ): Promise<{ id: string; structureId: string; partenaire: string } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = (await repo.findRecords(this.db, [id.toLowerCase()])).get(id.toLowerCase());
    if (row?.resultat !== 'escalade' || !can(principal, 'dossier.create', { structureId: row.structure_id }))
      return null;
    return { id: row.id, structureId: row.structure_id, partenaire: row.partenaire };
  }

  async structureFor(
    principal: Principal,
    action: 'accompagnement.record' | 'accompagnement.read' | 'accompagnement.tokens',
    structureId?: string,
  ): Promise<{ id: string; idFs: string; name: string; departement: string; zone: TimeZone }> {
    const id = structureId ?? principal.structureIds[0];
    const s = id && /^[0-9a-f-]{36}$/i.test(id) ? await findStructureById(this.db, id) : null;
    if (!s || !can(principal, action, { structureId: s.id, departement: s.departement }))
      throw notFound('Cette structure ne fait pas partie de votre périmètre.');
    return {
      id: s.id,
      idFs: s.idFs,
      name: s.name,
      departement: s.departement,
      zone: zoneOfStructure(s.codeInsee),
    };
  }

  /** The agent's recent (partner, démarche) choices, most recent first: offered first on the form. */
  async recentChoices(principal: Principal, structureId: string) {
    const rows = await repo.listRecords(this.db, { structureId, agentId: principal.id, limit: 40 });
    const seen = new Set<string>();
    const choices: Array<{ partenaire: string; demarche: string | null; canal: string; duree: number }> = [];
    for (const r of rows) {
      const key = `${r.partenaire}|${r.demarche ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      choices.push({ partenaire: r.partenaire, demarche: r.demarche, canal: r.canal, duree: r.duree_min });
      if (choices.length === 5) break;
    }
    return choices;
  }

  /**
   * Records one accompaniment from the counter form (idempotent by the form's own id). `source` says
   * where it came from: the counter form, or the handling of a call-back request (`rappel`).
   */
  async recordFromForm(
    principal: Principal,
    structureId: string,
    form: CounterForm,
    source: 'formulaire' | 'rappel' = 'formulaire',
  ): Promise<BatchOutcome> {
    const s = await this.structureFor(principal, 'accompagnement.record', structureId);
    return this.writeBatch(
      { kind: 'user', principal },
      [formToInput(form, s.idFs, this.clock.now(), s.zone)],
      {
        mode: 'api',
        source,
        agentId: principal.id,
      },
    );
  }

  /** A record the user may correct, as the correction form shows it (its time on the structure's clock). */
  async correctionForm(principal: Principal, id: string): Promise<{ row: RecordRow; values: CounterForm }> {
    const row = await this.correctable(principal, id);
    const zone = zoneOfStructure((await findStructureById(this.db, row.structure_id))?.codeInsee ?? null);
    return {
      row,
      values: {
        id: row.id,
        partenaire: row.partenaire,
        demarche: row.demarche ?? '',
        canal: row.canal,
        duree_min: String(row.duree_min),
        resultat: row.resultat,
        heure: localTime(new Date(row.debut), zone),
        tranche_age: row.tranche_age ?? '',
        commune_usager: row.commune_usager ?? '',
        premiere_visite: row.premiere_visite === null ? '' : row.premiere_visite ? 'oui' : 'non',
        autonomie: row.autonomie ?? '',
        note: row.note ?? '',
      },
    };
  }

  /** Corrects from the form; the time typed is on the structure's clock. */
  async correctFromForm(principal: Principal, id: string, form: CounterForm): Promise<void> {
    const row = await this.correctable(principal, id);
    const s = await findStructureById(this.db, row.structure_id);
    const zone = zoneOfStructure(s?.codeInsee ?? null);
    const input = formToInput(
      { ...form, heure: form.heure || localTime(new Date(row.debut), zone) },
      s?.idFs ?? '',
      new Date(row.debut),
      zone,
    );
    await this.correct(principal, id, input);
  }

  /** Erases private notes older than six months (the issue's retention). */
  async purgeNotes(): Promise<number> {
    const cutoff = new Date(this.clock.now());
    cutoff.setUTCMonth(cutoff.getUTCMonth() - 6);
    const n = await repo.eraseNotesBefore(this.db, cutoff);
    this.logger?.info({ erased: n }, 'notes privées effacées (plus de 6 mois)');
    return n;
  }
}

/** The counter form as posted (all text; checked by the record's constructor). */
export interface CounterForm {
  readonly id?: string;
  readonly choix?: string;
  readonly partenaire?: string;
  readonly demarche?: string;
  readonly canal?: string;
  readonly duree_min?: string;
  readonly resultat?: string;
  readonly heure?: string;
  readonly tranche_age?: string;
  readonly commune_usager?: string;
  readonly premiere_visite?: string;
  readonly autonomie?: string;
  readonly note?: string;
}

/**
 * Form → record input. A recent choice (`partenaire|demarche`) fills both fields; the start is today
 * at the given local time (HH:MM) on the structure's clock (`zone`), or now.
 */
export function formToInput(form: CounterForm, idFs: string, now: Date, zone: TimeZone): AccompagnementInput {
  const [choicePartner, choiceDemarche] = (form.choix ?? '').split('|');
  const fromChoice = !!form.choix && form.choix !== 'autre';
  let debut = DateTime.fromJSDate(now, { zone });
  const hm = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(form.heure ?? '');
  if (hm) debut = debut.set({ hour: Number(hm[1]), minute: Number(hm[2]), second: 0, millisecond: 0 });
  return {
    id: form.id,
    id_fs: idFs,
    debut: debut.toISO({ suppressMilliseconds: true }),
    duree_min: form.duree_min,
    canal: form.canal,
    partenaire: fromChoice ? choicePartner : form.partenaire,
    demarche: fromChoice ? choiceDemarche : form.demarche,
    resultat: form.resultat,
    tranche_age: form.tranche_age,
    commune_usager: form.commune_usager,
    premiere_visite: form.premiere_visite,
    autonomie: form.autonomie,
    note: form.note,
  };
}

function batchError(issue: ItemIssue, code: 'invalid' | 'conflict'): DomainError {
  return new DomainError(
    code,
    `Élément ${issue.index} : ${issue.message} Rien n’a été enregistré.`,
    `items.${issue.index}.${issue.field}`,
  );
}

/** A record as the API gives it: the exchange fields, the extra optional ones; never the private note. */
export interface ExchangeRecord {
  readonly id: string;
  readonly id_fs: string;
  readonly debut: string;
  readonly duree_min: number;
  readonly canal: string;
  readonly arret_bus: string | null;
  readonly partenaire: string;
  readonly demarche: string | null;
  readonly resultat: string;
  readonly tranche_age: string | null;
  readonly commune_usager: string | null;
  readonly premiere_visite: boolean | null;
  readonly autonomie: string | null;
}

export const toExchange = (r: RecordRow, idFs: string): ExchangeRecord => ({
  id: r.id,
  id_fs: idFs,
  debut: new Date(r.debut).toISOString(),
  duree_min: r.duree_min,
  canal: r.canal,
  arret_bus: r.arret_bus,
  partenaire: r.partenaire,
  demarche: r.demarche,
  resultat: r.resultat,
  tranche_age: r.tranche_age,
  commune_usager: r.commune_usager,
  premiere_visite: r.premiere_visite,
  autonomie: r.autonomie,
});
