import { sql } from 'kysely';
import type {
  Canton,
  CantonType,
  CommuneCanton,
  CommuneCentroid,
  CommuneZone,
  Densite,
  DensiteGrille4,
  DensiteGrille7,
  DepartementOutline,
  Qpv,
  QpvCommune,
  Zrr,
} from '../../domain/territory/index.js';
import type { Db } from '../database.js';
import { directoryFingerprint, openStructuresForCoverage } from './directory.repository.js';

export interface ReferenceTables {
  communes: readonly CommuneCentroid[];
  communeCantons: readonly CommuneCanton[];
  cantons: readonly Canton[];
  densite: readonly Densite[];
  zrr: readonly Zrr[];
  qpv: readonly Qpv[];
  qpvCommunes: readonly QpvCommune[];
  departements: readonly DepartementOutline[];
}

export interface RefFileRow {
  file: string;
  vintage: string;
  rows: number;
  sha256: string;
  source_dir: string;
}

const BATCH = 1000;

async function insertAll<T>(rows: readonly T[], insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

/** Kysely queries for the reference geography. No validation here: the domain parsers did it. */
export class TerritoryRepository {
  constructor(private readonly db: Db) {}

  /** Replaces every reference table in one transaction: all or nothing. */
  async replaceAll(t: ReferenceTables, files: readonly RefFileRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of [
        'ref_files',
        'ref_communes',
        'ref_commune_cantons',
        'ref_cantons',
        'ref_densite',
        'ref_zrr',
        'ref_qpv',
        'ref_qpv_communes',
        'ref_departements',
      ] as const) {
        await trx.deleteFrom(table).execute();
      }
      await insertAll(t.communes, (b) =>
        trx
          .insertInto('ref_communes')
          .values(
            b.map((c) => ({
              code: c.code,
              nom: c.nom,
              departement: c.departement,
              region: c.region,
              lat: c.lat,
              lon: c.lon,
              population: c.population,
              code_postal: c.codePostal,
              zone: c.zone,
              parent: c.parent,
            })),
          )
          .execute(),
      );
      await insertAll(t.communeCantons, (b) =>
        trx
          .insertInto('ref_commune_cantons')
          .values(
            b.map((c) => ({
              code: c.code,
              departement: c.departement,
              canton: c.canton,
              canton_type: c.cantonType,
              parent: c.parent,
            })),
          )
          .execute(),
      );
      await insertAll(t.cantons, (b) =>
        trx
          .insertInto('ref_cantons')
          .values(
            b.map((c) => ({
              code: c.code,
              nom: c.nom,
              departement: c.departement,
              region: c.region,
              type: c.type,
              composition: c.composition,
              bureau_centralisateur: c.bureauCentralisateur,
              nb_communes_entieres: c.nbCommunesEntieres,
              population_communes_entieres: c.populationCommunesEntieres,
            })),
          )
          .execute(),
      );
      await insertAll(t.densite, (b) =>
        trx
          .insertInto('ref_densite')
          .values(b.map((d) => ({ code: d.code, grille7: d.grille7, grille4: d.grille4, rural: d.rural })))
          .execute(),
      );
      await insertAll(t.zrr, (b) =>
        trx
          .insertInto('ref_zrr')
          .values(b.map((z) => ({ code: z.code, zrr: z.zrr, statut: z.statut })))
          .execute(),
      );
      await insertAll(t.qpv, (b) =>
        trx
          .insertInto('ref_qpv')
          .values(
            b.map((q) => ({
              code: q.code,
              nom: q.nom,
              departement: q.departement,
              communes: [...q.communes],
            })),
          )
          .execute(),
      );
      await insertAll(t.qpvCommunes, (b) =>
        trx
          .insertInto('ref_qpv_communes')
          .values(b.map((q) => ({ qpv: q.qpv, commune: q.commune })))
          .onConflict((oc) => oc.doNothing())
          .execute(),
      );
      for (const d of t.departements) {
        await trx
          .insertInto('ref_departements')
          .values({ code: d.code, nom: d.nom, geometry: JSON.stringify(d.geometry) })
          .execute();
      }
      await insertAll(files, (b) => trx.insertInto('ref_files').values(b).execute());
    });
  }

  async files(): Promise<RefFileRow[]> {
    return this.db
      .selectFrom('ref_files')
      .select(['file', 'vintage', 'rows', 'sha256', 'source_dir'])
      .orderBy('file')
      .execute();
  }

  async isLoaded(): Promise<boolean> {
    const r = await this.db.selectFrom('ref_files').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    return Number(r?.n ?? 0) > 0;
  }

  async readAll(): Promise<ReferenceTables> {
    const [communes, communeCantons, cantons, densite, zrr, qpv, qpvCommunes, departements] =
      await Promise.all([
        this.db.selectFrom('ref_communes').selectAll().orderBy('code').execute(),
        this.db.selectFrom('ref_commune_cantons').selectAll().orderBy('code').execute(),
        this.db.selectFrom('ref_cantons').selectAll().orderBy('code').execute(),
        this.db.selectFrom('ref_densite').selectAll().execute(),
        this.db.selectFrom('ref_zrr').selectAll().execute(),
        this.db.selectFrom('ref_qpv').selectAll().orderBy('code').execute(),
        this.db.selectFrom('ref_qpv_communes').selectAll().execute(),
        this.db.selectFrom('ref_departements').selectAll().orderBy('code').execute(),
      ]);
    return {
      communes: communes.map((c) => ({
        code: c.code,
        nom: c.nom,
        departement: c.departement,
        region: c.region,
        lat: c.lat,
        lon: c.lon,
        population: c.population,
        codePostal: c.code_postal,
        zone: c.zone as CommuneZone,
        parent: c.parent,
      })),
      communeCantons: communeCantons.map((c) => ({
        code: c.code,
        departement: c.departement,
        canton: c.canton,
        cantonType: c.canton_type as CantonType | null,
        parent: c.parent,
      })),
      cantons: cantons.map((c) => ({
        code: c.code,
        nom: c.nom,
        departement: c.departement,
        region: c.region,
        type: c.type as CantonType,
        composition: c.composition,
        bureauCentralisateur: c.bureau_centralisateur,
        nbCommunesEntieres: c.nb_communes_entieres,
        populationCommunesEntieres: c.population_communes_entieres,
      })),
      densite: densite.map((d) => ({
        code: d.code,
        grille7: d.grille7 as DensiteGrille7,
        grille4: d.grille4 as DensiteGrille4,
        rural: d.rural,
      })),
      zrr: zrr.map((z) => ({ code: z.code, zrr: z.zrr, statut: z.statut })),
      qpv: qpv.map((q) => ({ code: q.code, nom: q.nom, departement: q.departement, communes: q.communes })),
      qpvCommunes,
      departements: departements.map((d) => ({
        code: d.code,
        nom: d.nom,
        geometry: d.geometry as DepartementOutline['geometry'],
      })),
    };
  }

  /** The structures as the territory capability needs them (closed ones left out), from their owner. */
  structures() {
    return openStructuresForCoverage(this.db);
  }

  /** A fingerprint of the structures: the cached network is rebuilt when it changes. */
  structuresVersion(): Promise<string> {
    return directoryFingerprint(this.db);
  }
}
