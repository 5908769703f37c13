/**
 * The INSEE Code officiel géographique (CSV files of https://www.insee.fr/fr/information/8377162):
 * communes and cantons → communes-cantons.csv and cantons.csv, with the counts and populations INSEE does
 * not publish computed from the communes; and the movements of communes, which say which commune a
 * restored or renumbered one came from (docs/DONNEES.md). Pure: producer text in, our tables out.
 */
import { byCode, type CurrentCommune, departementOf, sample } from './producer-communes.js';
import {
  type ConvertedTable,
  communeCode,
  csvText,
  type Draft,
  keepValidRows,
  type ProducerIssue,
  readProducerCsv,
} from './producer-tables.js';
import {
  CANTON_COLUMNS,
  COMMUNE_CANTON_COLUMNS,
  parseCantons,
  parseCommuneCantons,
} from './reference-files.js';

export interface CogCommune {
  readonly line: number;
  readonly type: 'COM' | 'ARM';
  readonly code: string;
  readonly departement: string;
  readonly canton: string;
  readonly nom: string;
  readonly parent: string | null;
}

/**
 * The COG communes file (`v_commune_AAAA.csv`: TYPECOM, COM, REG, DEP, CTCD, ARR, TNCC, NCC, NCCENR,
 * LIBELLE, CAN, COMPARENT). Communes (COM) and arrondissements municipaux (ARM) are kept; an ARM takes
 * its department and canton from its city when the file leaves them empty. Communes déléguées and
 * associées (COMD, COMA) are skipped, but remembered as old codes of their commune.
 */
export function readCogCommunes(
  csv: string,
  source: string,
): {
  communes: Map<string, CogCommune>;
  subsidiaries: Map<string, string>;
  issues: ProducerIssue[];
  skipped: number;
} {
  const { rows, issues } = readProducerCsv(csv, source, [
    'TYPECOM',
    'COM',
    'DEP',
    'LIBELLE',
    'CAN',
    'COMPARENT',
  ]);
  const communes = new Map<string, CogCommune>();
  const subsidiaries = new Map<string, string>();
  const arrondissements: CogCommune[] = [];
  let skipped = 0;
  for (const row of rows) {
    const type = row.get('TYPECOM').toUpperCase();
    const code = communeCode(row.get('COM'));
    const reject = (field: string, message: string) =>
      issues.push({ source, line: row.line, field, message });
    if (!code) {
      reject('COM', `Code INSEE invalide : « ${row.get('COM')} ».`);
      continue;
    }
    const parent = communeCode(row.get('COMPARENT'));
    if (type === 'COMD' || type === 'COMA') {
      if (parent) subsidiaries.set(code, parent);
      skipped++;
      continue;
    }
    if (type !== 'COM' && type !== 'ARM') {
      reject('TYPECOM', `Type inconnu : « ${type} » (attendu COM, ARM, COMA ou COMD).`);
      continue;
    }
    if (communes.has(code) || arrondissements.some((a) => a.code === code)) {
      reject('COM', `Commune ${code} en double.`);
      continue;
    }
    if (type === 'ARM' && !parent) {
      reject('COMPARENT', 'Un arrondissement municipal doit nommer sa commune.');
      continue;
    }
    const commune: CogCommune = {
      line: row.line,
      type,
      code,
      departement: row.get('DEP').toUpperCase(),
      canton: row.get('CAN').toUpperCase(),
      nom: row.get('LIBELLE'),
      parent: type === 'ARM' ? parent : null,
    };
    if (type === 'ARM') arrondissements.push(commune);
    else communes.set(code, commune);
  }
  for (const a of arrondissements) {
    const city = communes.get(a.parent as string);
    if (!city) {
      issues.push({
        source,
        line: a.line,
        field: 'COMPARENT',
        message: `Commune ${a.parent} absente du fichier.`,
      });
      continue;
    }
    communes.set(a.code, {
      ...a,
      departement: a.departement || city.departement,
      canton: a.canton || city.canton,
    });
  }
  return { communes, subsidiaries, issues, skipped };
}

export interface CogCanton {
  readonly line: number;
  readonly code: string;
  readonly departement: string;
  readonly region: string;
  readonly type: string;
  readonly composition: string;
  readonly bureau: string;
  readonly nom: string;
}

/** The COG cantons file (`v_canton_AAAA.csv`: CAN, DEP, REG, COMPCT, BURCENTRAL, TNCC, NCC, NCCENR, LIBELLE, TYPECT). */
export function readCogCantons(
  csv: string,
  source: string,
): { cantons: Map<string, CogCanton>; issues: ProducerIssue[] } {
  const { rows, issues } = readProducerCsv(
    csv,
    source,
    ['CAN', 'DEP', 'REG', 'TYPECT', 'LIBELLE'],
    ['COMPCT', 'BURCENTRAL'],
  );
  const cantons = new Map<string, CogCanton>();
  for (const row of rows) {
    const code = row.get('CAN').toUpperCase();
    if (cantons.has(code)) {
      issues.push({ source, line: row.line, field: 'CAN', message: `Canton ${code} en double.` });
      continue;
    }
    cantons.set(code, {
      line: row.line,
      code,
      departement: row.get('DEP').toUpperCase(),
      region: row.get('REG'),
      type: row.get('TYPECT').toUpperCase(),
      composition: row.get('COMPCT'),
      bureau: row.get('BURCENTRAL').toUpperCase(),
      nom: row.get('LIBELLE'),
    });
  }
  return { cantons, issues };
}

/** INSEE's meaning of TYPECT and COMPCT (COG documentation), the labels of cantons.csv. */
const CANTON_TYPES: Record<string, string> = {
  C: 'Canton',
  V: 'Canton-Ville (ou pseudo-canton)',
  N: 'Canton « fictif » pour communes nouvelles',
};
const CANTON_COMPOSITIONS: Record<string, string> = {
  '1': 'Canton composé de commune(s) entière(s)',
  '2': 'Canton composé d’une fraction d’une commune et de commune(s) entière(s)',
  '3': 'Canton composé de fractions de plusieurs communes et de commune(s) entière(s)',
  '4': 'Canton composé d’une fraction de commune',
  '5': 'Canton composé de fractions de plusieurs communes',
};

/**
 * communes-cantons.csv and cantons.csv, for the communes of the current geography (geo.api). The COG has
 * no row for the communes of the collectivités d'outre-mer: they come from geo.api with no canton, as in
 * our format. nb_communes_entieres and population_communes_entieres are not published: they count the
 * communes (not the arrondissements) attached whole to each canton, and add up their geo.api population.
 */
export function convertCantons(
  cog: ReturnType<typeof readCogCommunes>,
  cogCantons: ReturnType<typeof readCogCantons>,
  geo: readonly CurrentCommune[],
  sources: { communes: string; cantons: string; geo: string },
): { communeCantons: ConvertedTable; cantons: ConvertedTable } {
  const cantonDraft = (c: CogCanton, count: number, population: string): Draft => ({
    source: sources.cantons,
    line: c.line,
    values: [
      c.code,
      c.nom,
      c.departement,
      c.region,
      c.type,
      CANTON_TYPES[c.type] ?? '',
      c.composition || '0',
      CANTON_COMPOSITIONS[c.composition] ?? '',
      c.bureau,
      cog.communes.get(c.bureau)?.nom ?? '',
      String(count),
      population,
    ],
  });
  // First pass: the cantons the app accepts, before the counts, which depend on the communes.
  const checked = keepValidRows(
    CANTON_COLUMNS,
    [...cogCantons.cantons.values()].map((c) => cantonDraft(c, 0, '')),
    parseCantons,
  );
  const validCantons = new Set(checked.kept.map((d) => d.values[0]));

  const current = new Map(geo.map((g) => [g.code, g]));
  const rejected: ProducerIssue[] = [...cog.issues];
  const drafts: Draft[] = [];
  const wholeCommune = new Set<Draft>();
  const notCurrent: string[] = [];
  for (const c of cog.communes.values()) {
    if (!current.has(c.code)) {
      notCurrent.push(c.code);
      continue;
    }
    if (c.canton && !validCantons.has(c.canton)) {
      rejected.push({
        source: sources.communes,
        line: c.line,
        field: 'CAN',
        message: `Canton ${c.canton} absent du fichier des cantons, ou rejeté.`,
      });
      continue;
    }
    const canton = cogCantons.cantons.get(c.canton);
    const d: Draft = {
      source: sources.communes,
      line: c.line,
      values: [
        c.code,
        c.nom,
        c.departement || departementOf(c.code),
        c.canton,
        canton?.nom ?? '',
        canton?.type ?? '',
        c.parent ?? '',
      ],
    };
    drafts.push(d);
    if (c.type === 'COM') wholeCommune.add(d);
  }
  const notInCog: string[] = [];
  for (const g of geo) {
    if (cog.communes.has(g.code)) continue;
    if (g.zone === 'com') {
      drafts.push({
        source: sources.geo,
        line: g.line,
        values: [g.code, g.nom, g.departement, '', '', '', ''],
      });
    } else notInCog.push(g.code);
  }
  const communeRows = keepValidRows(COMMUNE_CANTON_COLUMNS, drafts, parseCommuneCantons);
  rejected.push(...communeRows.rejected);
  communeRows.kept.sort(byCode);

  const members = new Map<string, string[]>();
  for (const d of communeRows.kept) {
    const canton = d.values[3] as string;
    if (canton && wholeCommune.has(d))
      members.set(canton, [...(members.get(canton) ?? []), d.values[0] as string]);
  }
  let withoutPopulation = 0;
  const cantonDrafts = checked.kept.map((first) => {
    const c = cogCantons.cantons.get(first.values[0] as string) as CogCanton;
    const codes = members.get(c.code) ?? [];
    // A canton made of fractions of communes has no whole commune: no population, as in ../shared/data.
    if (codes.length === 0) return cantonDraft(c, 0, '');
    const populations = codes.map((code) => current.get(code)?.population ?? null);
    if (populations.includes(null)) {
      withoutPopulation++;
      return cantonDraft(c, codes.length, '');
    }
    return cantonDraft(c, codes.length, String(populations.reduce((a: number, p) => a + (p as number), 0)));
  });
  const cantonRows = keepValidRows(CANTON_COLUMNS, cantonDrafts, parseCantons);
  cantonRows.kept.sort(byCode);

  const communeNotes: string[] = [];
  if (notCurrent.length > 0)
    communeNotes.push(
      `${notCurrent.length} commune(s) du COG absente(s) de geo.api.gouv.fr, laissée(s) de côté : ${sample(notCurrent)}.`,
    );
  if (notInCog.length > 0)
    communeNotes.push(
      `${notInCog.length} commune(s) de geo.api.gouv.fr absente(s) du COG, donc sans canton : ${sample(notInCog)}.`,
    );
  const cantonNotes = [
    'nb_communes_entieres et population_communes_entieres sont calculés : communes (COM) rattachées en entier au canton, population de geo.api.gouv.fr.',
  ];
  if (withoutPopulation > 0)
    cantonNotes.push(
      `${withoutPopulation} canton(s) sans population_communes_entieres : une de leurs communes n’a pas de population connue.`,
    );
  const fractions = cantonDrafts.filter((d) => d.values[10] === '0').length;
  if (fractions > 0)
    cantonNotes.push(
      `${fractions} canton(s) sans commune entière (fractions de communes) : population_communes_entieres vide.`,
    );
  return {
    communeCantons: {
      text: csvText(COMMUNE_CANTON_COLUMNS, communeRows.kept),
      rows: communeRows.kept.length,
      rejected,
      skipped: cog.skipped + notCurrent.length,
      notes: communeNotes,
    },
    cantons: {
      text: csvText(CANTON_COLUMNS, cantonRows.kept),
      rows: cantonRows.kept.length,
      rejected: [...cogCantons.issues, ...checked.rejected, ...cantonRows.rejected],
      skipped: 0,
      notes: cantonNotes,
    },
  };
}

/** A commune a current one came from, and when (COG movements). */
export interface CogOrigin {
  readonly from: string;
  readonly date: string;
}

/**
 * The COG movements file (`v_mvt_commune_AAAA.csv`: MOD, DATE_EFF, TYPECOM_AV, COM_AV, …, TYPECOM_AP,
 * COM_AP, …), reduced to what we use: for each commune, the other communes it came from. An arc from one
 * commune (COM) to another with a different code is a restoration (MOD 21: the commune it was split from),
 * a merger or a change of code. Arcs that keep the code, and those of communes déléguées or associées,
 * say nothing of that and are passed over.
 */
export function readCogMovements(
  csv: string,
  source: string,
): { origins: Map<string, CogOrigin[]>; issues: ProducerIssue[] } {
  const { rows, issues } = readProducerCsv(
    csv,
    source,
    ['MOD', 'DATE_EFF', 'COM_AV', 'COM_AP'],
    ['TYPECOM_AV', 'TYPECOM_AP'],
  );
  const origins = new Map<string, CogOrigin[]>();
  for (const row of rows) {
    const types = [row.get('TYPECOM_AV'), row.get('TYPECOM_AP')].map((t) => t.toUpperCase() || 'COM');
    if (types.some((t) => t !== 'COM')) continue;
    const from = communeCode(row.get('COM_AV'));
    const to = communeCode(row.get('COM_AP'));
    if (!from || !to) {
      const field = from ? 'COM_AP' : 'COM_AV';
      issues.push({ source, line: row.line, field, message: `Code INSEE invalide : « ${row.get(field)} ».` });
      continue;
    }
    if (from === to) continue;
    origins.set(to, [...(origins.get(to) ?? []), { from, date: row.get('DATE_EFF') }]);
  }
  return { origins, issues };
}
