/**
 * Zonings from their producers (docs/DONNEES.md): the INSEE density grid as data.gouv.fr publishes it in
 * « Communes et villes de France », the ANCT list of ZRR communes, and the ANCT perimeters of the QPV 2024.
 * Each is joined to the current geography (geo.api.gouv.fr): old codes are followed to today's commune.
 * Pure: producer text in, our tables out, every producer row accepted or rejected with its line.
 */
import type { CogCommune, CogOrigin } from './producer-cog.js';
import { type CurrentCommune, departementOf, sample, zoneOfCode } from './producer-communes.js';
import {
  type ConvertedTable,
  communeCode,
  csvText,
  type Draft,
  keepValidRows,
  type ProducerIssue,
  readFeatures,
  readProducerCsv,
} from './producer-tables.js';
import {
  DENSITE_COLUMNS,
  type DensiteGrille7,
  GRILLE4_OF_GRILLE7,
  parseGrilleDensite,
  parseQpv,
  parseQpvCommunes,
  parseZrr,
  QPV_COLUMNS,
  QPV_COMMUNE_COLUMNS,
  ZRR_COLUMNS,
} from './reference-files.js';
import { DENSITE7_LABELS } from './travel-time.js';

/**
 * Any commune code → the current commune it is now part of, or null: a current commune is itself; an
 * arrondissement goes to its city; a commune déléguée or associée (COG) to its commune; an old code
 * (geo.api `anciensCodes`) to the commune that took it over.
 */
export function currentCommuneResolver(
  geo: readonly CurrentCommune[],
  cogCommunes: ReadonlyMap<string, CogCommune>,
  subsidiaries: ReadonlyMap<string, string>,
): (code: string) => string | null {
  const cities = new Set(geo.filter((g) => !g.parent).map((g) => g.code));
  const to = new Map<string, string>();
  for (const g of geo) {
    if (g.parent) to.set(g.code, g.parent);
    for (const old of g.anciensCodes) if (!cities.has(old) && !to.has(old)) to.set(old, g.code);
  }
  for (const [code, parent] of subsidiaries) if (!cities.has(code) && !to.has(code)) to.set(code, parent);
  for (const c of cogCommunes.values()) if (c.parent && !to.has(c.code)) to.set(c.code, c.parent);
  return (code) => {
    let c = code;
    for (let hops = 0; hops < 5; hops++) {
      if (cities.has(c)) return c;
      const next = to.get(c);
      if (!next) return null;
      c = next;
    }
    return null;
  };
}

// ---- density grid ----

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
const LEVEL_OF_LABEL = new Map(
  Object.entries(DENSITE7_LABELS).map(([level, label]) => [fold(label), Number(level) as DensiteGrille7]),
);
const GRILLE4_LABELS: Record<number, string> = {
  1: 'Communes densément peuplées',
  2: 'Communes de densité intermédiaire',
  3: 'Communes peu denses',
  4: 'Communes très peu denses',
};

/** A level of the 7-level grid from a code (`6`, `6.0`) or INSEE's label; null when empty. */
function densityLevel(raw: string): DensiteGrille7 | null | 'inconnu' {
  if (raw === '') return null;
  if (/^[1-7](\.0+)?$/.test(raw)) return Number(raw) as DensiteGrille7;
  return LEVEL_OF_LABEL.get(fold(raw)) ?? 'inconnu';
}

/**
 * grille-densite.csv from data.gouv.fr « Communes et villes de France » (`code_insee, nom_standard, …,
 * grille_densite, grille_densite_texte`): the level is read from the code or from the label (older
 * editions put the label in `grille_densite`); both must agree. The 4-level grid and `rural` follow
 * INSEE's definition (GRILLE4_OF_GRILLE7). The grid does not cover the collectivités d'outre-mer.
 */
export function convertDensite(
  csv: string,
  source: string,
  geo: ReadonlyMap<string, CurrentCommune>,
): ConvertedTable {
  const { rows, issues } = readProducerCsv(
    csv,
    source,
    ['code_insee', ['grille_densite', 'grille_densite_texte']],
    ['grille_densite_texte', 'nom_standard', 'typecom'],
  );
  const rejected: ProducerIssue[] = [...issues];
  const drafts: Draft[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const row of rows) {
    const reject = (field: string, message: string) =>
      rejected.push({ source, line: row.line, field, message });
    const code = communeCode(row.get('code_insee'));
    if (!code) {
      reject('code_insee', `Code INSEE invalide : « ${row.get('code_insee')} ».`);
      continue;
    }
    if (['ARM', 'COMD', 'COMA'].includes(row.get('typecom').toUpperCase())) {
      skipped++;
      continue;
    }
    const fromCode = densityLevel(row.get('grille_densite'));
    const fromLabel = densityLevel(row.get('grille_densite_texte'));
    if (fromCode === 'inconnu' || fromLabel === 'inconnu') {
      const field = fromCode === 'inconnu' ? 'grille_densite' : 'grille_densite_texte';
      reject(field, `Niveau de la grille de densité inconnu : « ${row.get(field)} ».`);
      continue;
    }
    if (fromCode !== null && fromLabel !== null && fromCode !== fromLabel) {
      reject(
        'grille_densite',
        `grille_densite (${fromCode}) et grille_densite_texte (« ${row.get('grille_densite_texte')} ») ne concordent pas.`,
      );
      continue;
    }
    const level = fromCode ?? fromLabel;
    if (level === null) {
      if (zoneOfCode(code) === 'com') skipped++;
      else reject('grille_densite', 'Niveau de la grille de densité absent.');
      continue;
    }
    const commune = geo.get(code);
    if (!commune || commune.parent) {
      reject('code_insee', `Commune ${code} absente de la géographie actuelle (geo.api.gouv.fr).`);
      continue;
    }
    if (seen.has(code)) {
      reject('code_insee', `Commune ${code} en double.`);
      continue;
    }
    seen.add(code);
    const grille4 = GRILLE4_OF_GRILLE7[level];
    drafts.push({
      source,
      line: row.line,
      values: [
        code,
        row.get('nom_standard') || commune.nom,
        String(level),
        DENSITE7_LABELS[level],
        String(grille4),
        GRILLE4_LABELS[grille4] as string,
        grille4 >= 3 ? '1' : '0',
      ],
    });
  }
  const { kept, rejected: invalid } = keepValidRows(DENSITE_COLUMNS, drafts, parseGrilleDensite);
  kept.sort((a, b) => ((a.values[0] ?? '') < (b.values[0] ?? '') ? -1 : 1));
  return {
    text: csvText(DENSITE_COLUMNS, kept),
    rows: kept.length,
    rejected: [...rejected, ...invalid].sort((a, b) => a.line - b.line),
    skipped,
    notes: ['Grille à 4 niveaux, libellés et « rural » déduits du niveau à 7 niveaux (définition INSEE).'],
  };
}

// ---- ZRR ----

/**
 * zrr.csv from the ANCT list of ZRR communes (`INSEE;ZRR`, 0 or 1, 1 for communes classified wholly or
 * partly; codes of its own COG year, sometimes without their leading zero). Each code is followed to the
 * current commune; a commune formed from several listed communes is « classée » or « non classée » when
 * they agree, « partiellement classée » when they differ. A commune restored or renumbered since the list
 * takes the value of the commune it came from (COG movements, `origins`), as ../shared/data did.
 * zrr_2018_observatoire is left empty.
 */
export function convertZrr(
  csv: string,
  source: string,
  geo: ReadonlyMap<string, CurrentCommune>,
  resolve: (code: string) => string | null,
  origins: ReadonlyMap<string, readonly CogOrigin[]> = new Map(),
): ConvertedTable {
  const { rows, issues } = readProducerCsv(csv, source, [
    ['INSEE', 'CODGEO', 'code_insee'],
    ['ZRR', 'zrr'],
  ]);
  const rejected: ProducerIssue[] = [...issues];
  const values = new Map<string, Array<{ code: string; zrr: '0' | '1'; line: number }>>();
  const seen = new Set<string>();
  for (const row of rows) {
    const reject = (field: string, message: string) =>
      rejected.push({ source, line: row.line, field, message });
    const code = communeCode(row.get('INSEE'));
    if (!code) {
      reject('INSEE', `Code INSEE invalide : « ${row.get('INSEE')} ».`);
      continue;
    }
    const zrr = row.get('ZRR');
    if (zrr !== '0' && zrr !== '1') {
      reject('ZRR', `Valeur inconnue : « ${zrr} » (attendu 0 ou 1).`);
      continue;
    }
    if (seen.has(code)) {
      reject('INSEE', `Commune ${code} en double.`);
      continue;
    }
    seen.add(code);
    const current = resolve(code);
    if (!current) {
      reject('INSEE', `Commune ${code} introuvable dans la géographie actuelle, même comme ancien code.`);
      continue;
    }
    values.set(current, [...(values.get(current) ?? []), { code, zrr, line: row.line }]);
  }
  // A current commune the list does not know: the value of the commune it came from, latest movement first.
  const listed = new Map([...values.values()].flat().map((p) => [p.code, p]));
  let inherited = 0;
  for (const g of geo.values()) {
    if (g.parent || g.zone === 'com' || values.has(g.code)) continue;
    const moves = [...(origins.get(g.code) ?? [])].sort((a, b) => (a.date < b.date ? 1 : -1));
    const latest = moves.find((m) => listed.has(m.from))?.date;
    const parts = moves.filter((m) => m.date === latest && listed.has(m.from)).map((m) => listed.get(m.from));
    if (parts.length === 0) continue;
    values.set(g.code, parts as Array<{ code: string; zrr: '0' | '1'; line: number }>);
    inherited++;
  }
  const drafts: Draft[] = [];
  let merged = 0;
  for (const [code, parts] of values) {
    const commune = geo.get(code) as CurrentCommune;
    const classified = parts.filter((p) => p.zrr === '1').length;
    const statut =
      classified === 0 ? 'non classée' : classified === parts.length ? 'classée' : 'partiellement classée';
    const own = parts.length === 1 && parts[0]?.code === code;
    if (!own) merged++;
    drafts.push({
      source,
      line: Math.min(...parts.map((p) => p.line)),
      values: [
        code,
        commune.nom,
        commune.departement,
        classified > 0 ? '1' : '0',
        statut,
        '',
        own ? '' : `valeur reportée depuis ${parts.map((p) => `${p.code}=${p.zrr}`).join(', ')}`,
      ],
    });
  }
  const { kept, rejected: invalid } = keepValidRows(ZRR_COLUMNS, drafts, parseZrr);
  kept.sort((a, b) => ((a.values[0] ?? '') < (b.values[0] ?? '') ? -1 : 1));
  const without = [...geo.values()].filter((g) => !g.parent && g.zone !== 'com' && !values.has(g.code));
  const notes = [
    'zrr_2018_observatoire est laissé vide (non publié avec la liste) ; zrr = 1 regroupe les communes classées en totalité ou en partie.',
  ];
  if (merged > 0)
    notes.push(
      `${merged} commune(s) actuelle(s) reprennent la valeur d’un ou plusieurs autres codes (voir la colonne note), dont ${inherited} rétablie(s) ou renumérotée(s) depuis la liste (mouvements du COG).`,
    );
  if (without.length > 0)
    notes.push(
      `${without.length} commune(s) de métropole ou des DROM sans valeur ZRR (lues comme non classées) : ${sample(without.map((g) => g.code))}.`,
    );
  return {
    text: csvText(ZRR_COLUMNS, kept),
    rows: kept.length,
    rejected: [...rejected, ...invalid].sort((a, b) => a.line - b.line),
    skipped: 0,
    notes,
  };
}

// ---- QPV ----

/**
 * qpv.csv and qpv-communes.csv from the ANCT perimeters of the QPV 2024 (GeoJSON, properties `code_qp,
 * lib_qp, insee_dep, insee_com`, where `insee_com` lists the communes, comma-separated, of a quarter that
 * spans several). Geometries are not kept (our format places a QPV through its communes). A quarter
 * split into several features is merged.
 */
export function convertQpv(
  geojson: string,
  source: string,
  geo: ReadonlyMap<string, CurrentCommune>,
  resolve: (code: string) => string | null,
): { qpv: ConvertedTable; qpvCommunes: ConvertedTable } {
  const rejected: ProducerIssue[] = [];
  const quarters = new Map<string, { line: number; nom: string; departement: string; communes: string[] }>();
  readFeatures(geojson, source).forEach((f, i) => {
    const line = i + 1;
    const raw = (f as { properties?: Record<string, unknown> })?.properties ?? {};
    const p = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k.toLowerCase(), String(v ?? '').trim()]),
    );
    const code = (p.code_qp ?? '').toUpperCase();
    const communes: string[] = [];
    for (const token of (p.insee_com ?? '').split(/[\s,;]+/).filter(Boolean)) {
      const commune = communeCode(token);
      const current = commune ? resolve(commune) : null;
      if (!current) {
        rejected.push({
          source,
          line,
          field: 'insee_com',
          message: `Commune « ${token} » introuvable dans la géographie actuelle (QPV ${code}).`,
        });
        return;
      }
      if (!communes.includes(current)) communes.push(current);
    }
    const known = quarters.get(code);
    if (known) {
      for (const c of communes) if (!known.communes.includes(c)) known.communes.push(c);
      return;
    }
    const departement = (p.insee_dep ?? '').toUpperCase() || (communes[0] ? departementOf(communes[0]) : '');
    quarters.set(code, { line, nom: p.lib_qp ?? '', departement, communes });
  });
  const name = (c: string) => geo.get(c)?.nom ?? '';
  const drafts: Draft[] = [...quarters].map(([code, q]) => ({
    source,
    line: q.line,
    values: [
      code,
      q.nom,
      q.departement,
      q.communes.join(';'),
      q.communes.map(name).join(';'),
      String(q.communes.length),
    ],
  }));
  const quartersKept = keepValidRows(QPV_COLUMNS, drafts, parseQpv);
  quartersKept.kept.sort((a, b) => ((a.values[0] ?? '') < (b.values[0] ?? '') ? -1 : 1));
  const links: Draft[] = quartersKept.kept.flatMap((d) =>
    (d.values[3] as string).split(';').map((c) => ({
      source,
      line: d.line,
      values: [d.values[0] as string, d.values[1] as string, c, name(c)],
    })),
  );
  const linksKept = keepValidRows(QPV_COMMUNE_COLUMNS, links, parseQpvCommunes);
  return {
    qpv: {
      text: csvText(QPV_COLUMNS, quartersKept.kept),
      rows: quartersKept.kept.length,
      rejected: [...rejected, ...quartersKept.rejected].sort((a, b) => a.line - b.line),
      skipped: 0,
      notes: [],
    },
    qpvCommunes: {
      text: csvText(QPV_COMMUNE_COLUMNS, linksKept.kept),
      rows: linksKept.kept.length,
      rejected: linksKept.rejected,
      skipped: 0,
      notes: [],
    },
  };
}
