/**
 * The whole reference folder from the producers' files (`maillage ref sync`, docs/DONNEES.md). Pure: the
 * texts of the eight producer files in, the nine files of our format out, each with its rejected rows.
 * A file that cannot be read at all throws a DomainError whose field names it.
 */
import { convertCantons, readCogCantons, readCogCommunes, readCogMovements } from './producer-cog.js';
import { convertCentroids, readGeoApiCommunes } from './producer-communes.js';
import { convertCantonOutlines, convertDepartements } from './producer-outlines.js';
import type { ConvertedTable } from './producer-tables.js';
import { convertDensite, convertQpv, convertZrr, currentCommuneResolver } from './producer-zonages.js';

/** The producer files a sync reads; src/services/territory/producer-sources.ts says where each comes from. */
export const PRODUCER_INPUTS = [
  'geoCommunes',
  'cogCommunes',
  'cogCantons',
  'cogMouvements',
  'densite',
  'zrr',
  'qpv',
  'departements',
  'cantonOutlines',
] as const;
export type ProducerInput = (typeof PRODUCER_INPUTS)[number];

/** Our files, by the keys of REFERENCE_FILES (src/services/territory/reference-folder.ts), plus the canton outlines. */
export interface ConvertedReference {
  readonly communes: ConvertedTable;
  readonly communeCantons: ConvertedTable;
  readonly cantons: ConvertedTable;
  readonly densite: ConvertedTable;
  readonly zrr: ConvertedTable;
  readonly qpv: ConvertedTable;
  readonly qpvCommunes: ConvertedTable;
  readonly departements: ConvertedTable;
  readonly cantonOutlines: ConvertedTable;
}

/**
 * Converts every producer file. `labels` names each file in messages and reports (e.g.
 * `v_commune_2025.csv`). geo.api's communes are the current geography the others are joined to.
 */
export function convertProducerFiles(
  texts: Readonly<Record<ProducerInput, string>>,
  labels: Readonly<Record<ProducerInput, string>>,
): ConvertedReference {
  const geo = readGeoApiCommunes(texts.geoCommunes, labels.geoCommunes);
  const cog = readCogCommunes(texts.cogCommunes, labels.cogCommunes);
  const cogCantons = readCogCantons(texts.cogCantons, labels.cogCantons);
  const movements = readCogMovements(texts.cogMouvements, labels.cogMouvements);
  const current = new Map(geo.communes.map((c) => [c.code, c]));
  const resolve = currentCommuneResolver(geo.communes, cog.communes, cog.subsidiaries);
  const { communeCantons, cantons } = convertCantons(cog, cogCantons, geo.communes, {
    communes: labels.cogCommunes,
    cantons: labels.cogCantons,
    geo: labels.geoCommunes,
  });
  const { qpv, qpvCommunes } = convertQpv(texts.qpv, labels.qpv, current, resolve);
  return {
    communes: inLineOrder(convertCentroids(geo, labels.geoCommunes)),
    communeCantons: inLineOrder(communeCantons),
    cantons: inLineOrder(cantons),
    densite: inLineOrder(convertDensite(texts.densite, labels.densite, current)),
    zrr: inLineOrder(
      withRejected(convertZrr(texts.zrr, labels.zrr, current, resolve, movements.origins), movements.issues),
    ),
    qpv: inLineOrder(qpv),
    qpvCommunes: inLineOrder(qpvCommunes),
    departements: inLineOrder(convertDepartements(texts.departements, labels.departements)),
    cantonOutlines: inLineOrder(
      convertCantonOutlines(texts.cantonOutlines, labels.cantonOutlines, cogCantons.cantons),
    ),
  };
}

/** The movements file only fills ZRR gaps: its bad rows are reported with zrr.csv. */
function withRejected(table: ConvertedTable, more: ConvertedTable['rejected']): ConvertedTable {
  return { ...table, rejected: [...table.rejected, ...more] };
}

/** Rejected rows by producer file, then line: the order a person reads them in. */
function inLineOrder(table: ConvertedTable): ConvertedTable {
  const rejected = [...table.rejected].sort((a, b) =>
    a.source === b.source ? a.line - b.line : a.source < b.source ? -1 : 1,
  );
  return { ...table, rejected };
}
