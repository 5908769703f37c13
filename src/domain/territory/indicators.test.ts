import { describe, expect, it } from 'vitest';
import type { DomainError } from '../shared/errors.js';
import { computeCoverage, deploymentTimeline, uncoveredCantons } from './indicators.js';
import { loadHighs } from './mclp-exact.js';
import { haversineKm } from './nearest.js';
import { Network, type StructureSite, siteKind } from './network.js';
import { onePerCanton, plan, whatIf } from './planning.js';
import {
  parseCantons,
  parseCommuneCantons,
  parseCommuneCentroids,
  parseGrilleDensite,
  parseQpv,
  parseZrr,
} from './reference-files.js';
import { ReferenceGeography } from './reference-geography.js';
import { parseTerritory } from './territory.js';
import { travelModel } from './travel-time.js';

// A tiny hand-written geography: four communes in the Aisne, one in the Allier, one in
// Saint-Pierre-et-Miquelon (a COM, outside the programme's indicators).
const centroids =
  parseCommuneCentroids(`code_insee,nom,departement,region,latitude,longitude,population,code_postal,codes_postaux,zone,centroid_source,commune_parente
02001,Aville,02,32,49.0,3.0,1000,02000,02000,metro,t,
02002,Bville,02,32,49.0,3.1,2000,02000,02000,metro,t,
02003,Cville,02,32,49.0,3.5,500,02000,02000,metro,t,
02004,Dville,02,32,49.5,3.0,4000,02000,02000,metro,t,
03001,Eville,03,84,46.5,3.0,300,03000,03000,metro,t,
97502,Saint-Pierre,975,975,46.78,-56.17,6000,97500,97500,com,t,
`);
const communeCantons =
  parseCommuneCantons(`code_insee,nom,departement,canton_code,canton_nom,canton_type,commune_parente
02001,Aville,02,0201,Un,C,
02002,Bville,02,0201,Un,C,
02003,Cville,02,0202,Deux,C,
02004,Dville,02,0203,Trois,C,
03001,Eville,03,0301,Allier,C,
97502,Saint-Pierre,975,,,,
`);
const cantons =
  parseCantons(`canton_code,nom,departement,region,type_code,type_libelle,composition_code,composition_libelle,bureau_centralisateur_code,bureau_centralisateur_nom,nb_communes_entieres,population_communes_entieres
0201,Un,02,32,C,Canton,1,x,02001,Aville,2,3000
0202,Deux,02,32,C,Canton,1,x,02003,Cville,1,500
0203,Trois,02,32,C,Canton,1,x,02004,Dville,1,4000
0301,Allier,03,84,C,Canton,1,x,03001,Eville,1,300
`);
const densite =
  parseGrilleDensite(`code_insee,nom,grille_densite_7,grille_densite_7_libelle,grille_densite_4,grille_densite_4_libelle,rural
02001,Aville,6,x,3,x,1
02002,Bville,5,x,3,x,1
02003,Cville,7,x,4,x,1
02004,Dville,1,x,1,x,0
03001,Eville,6,x,3,x,1
`);
const zrr = parseZrr(`code_insee,nom,departement,zrr,zrr_statut,zrr_2018_observatoire,note
02001,Aville,02,0,non classée,,
02003,Cville,02,1,classée,,
03001,Eville,03,1,classée,,
`);
const qpv = parseQpv(`code_qp,nom_qp,departement,communes_insee,communes_noms,nb_communes
QN00201M,Quartier,02,02004,Dville,1
QN00202M,Autre,02,02003,Cville,1
`);

const ref = new ReferenceGeography({
  communes: centroids.rows,
  communeCantons: communeCantons.rows,
  cantons: cantons.rows,
  densite: densite.rows,
  zrr: zrr.rows,
  qpv: qpv.rows,
  epcis: [{ code: '200000001', nom: 'CC des Deux', membres: [{ code: '02001' }, { code: '02002' }] }],
  departements: [{ code: '02', nom: 'Aisne' }],
  resolveCode: (code) => (code === '02999' ? '02001' : null),
});

const site = (
  id: string,
  codeInsee: string,
  kind: StructureSite['kind'],
  labelledOn: string | null,
): StructureSite => ({
  id,
  name: `FS ${id}`,
  codeInsee,
  lat: null,
  lon: null,
  kind,
  labelledOn,
});
const sites = [
  site('1', '02999', 'fixed', '2020-01-15'), // an old code of Aville
  site('2', '02004', 'antenne', '2021-03-01'),
  site('3', '03001', 'mobile', '2021-03-20'),
  site('4', '97502', 'fixed', '2022-01-01'),
  site('5', '99999', 'fixed', null),
];
const network = new Network(ref, sites);
const model = travelModel();
const kmB = haversineKm(3.1, 49, 3.0, 49);
const kmC = haversineKm(3.5, 49, 3.0, 49);

describe('coverage indicators', () => {
  it('computes every indicator of a department by hand', () => {
    expect(network.unresolved.map((s) => s.id)).toEqual(['5']);
    expect(model.minutes(kmB, 5)).toBeLessThan(10);
    expect(model.minutes(kmC, 7)).toBeGreaterThan(30);
    const c = computeCoverage(network, parseTerritory(ref, 'dep:02'), model);
    expect(c).toEqual({
      territory: 'dep:02',
      structures: { total: 2, fixed: 1, antennes: 1, mobile: 0 },
      cantons: { total: 3, covered: 2 },
      share: { rural: 0.5, zrr: 0 },
      qpv: { total: 2, covered: 1 },
      population: { total: 7500, within10: 7000, within20: 7000, within30: 7000 },
      distanceKm: {
        mean: Math.round(((2000 * kmB + 500 * kmC) / 7500) * 100) / 100,
        p95: Math.round(kmC * 100) / 100,
      },
    });
  });

  it('FR leaves the COM out; a canton and an EPCI are territories too', () => {
    const fr = computeCoverage(network, parseTerritory(ref, 'FR'), model);
    expect(fr.structures).toEqual({ total: 3, fixed: 1, antennes: 1, mobile: 1 });
    expect(fr.population.total).toBe(7800);
    expect(fr.cantons).toEqual({ total: 4, covered: 3 });
    expect(fr.share.zrr).toBeCloseTo(1 / 3, 4);
    const canton = computeCoverage(network, parseTerritory(ref, 'canton:0201'), model);
    expect(canton.population.total).toBe(3000);
    expect(canton.cantons).toEqual({ total: 1, covered: 1 });
    const epci = computeCoverage(network, parseTerritory(ref, 'epci:200000001'), model);
    expect(epci.structures.total).toBe(1);
    expect(epci.population.within10).toBe(3000);
  });

  it('lists uncovered cantons and the deployment timeline', () => {
    const dep = parseTerritory(ref, 'dep:02');
    expect(uncoveredCantons(network, dep)).toEqual([
      {
        code: '0202',
        nom: 'Deux',
        departement: '02',
        population: 500,
        distanceKm: Math.round(kmC * 10) / 10,
      },
    ]);
    const t = deploymentTimeline(network, parseTerritory(ref, 'FR'), 4);
    expect(t.months).toEqual([
      { month: '2020-01', added: 1, cumulative: 1 },
      { month: '2021-03', added: 2, cumulative: 3 },
    ]);
    expect(t.goals.national).toEqual({ count: 2500, by: '2022-12', reachedIn: null });
    expect(t.goals.onePerCanton).toEqual({ count: 4, reachedIn: null });
  });

  it('refuses unknown or malformed territories, naming the field', () => {
    for (const [input, pattern] of [
      ['dep:99', /inconnu/],
      ['dep:975', /collectivité d’outre-mer/],
      ['canton:0299', /inconnu/],
      ['epci:12', /SIREN/],
      ['département 02', /illisible/],
      ['', /manquant/],
    ] as const) {
      try {
        parseTerritory(ref, input);
        expect.unreachable(input);
      } catch (e) {
        expect((e as DomainError).field).toBe('territory');
        expect((e as DomainError).message).toMatch(pattern);
      }
    }
  });

  it('classifies structures: format wins over type', () => {
    expect(siteKind('Principal', 'Bus_équivalent')).toBe('mobile');
    expect(siteKind('Antenne', 'Itinérante')).toBe('mobile');
    expect(siteKind('Antenne', 'Fixe')).toBe('antenne');
    expect(siteKind('Principal', 'Fixe_antenne(s)')).toBe('fixed');
  });
});

describe('planning', () => {
  const dep = parseTerritory(ref, 'dep:02');

  it('only counts people not reached before; candidates follow the minimum population', async () => {
    const none = plan(network, dep, { k: 2, minutes: 20 }, model);
    expect(none.sites).toEqual([]);
    expect(none.addedPopulation).toBe(0);
    const solver = await loadHighs();
    const small = plan(network, dep, { k: 2, minutes: 20, minPopulation: 0, exact: true }, model, { solver });
    expect(small.sites).toEqual([{ code: '02003', name: 'Cville', addedPopulation: 500 }]);
    expect(small).toMatchObject({ addedPopulation: 500, exactOptimum: 500, gap: 0 });
    // Bville is 29.2 km from Cville: inside a 30 km radius, outside 29 km.
    expect(plan(network, dep, { k: 1, radiusKm: 30 }, model).sites).toEqual([
      { code: '02002', name: 'Bville', addedPopulation: 500 },
    ]);
    expect(plan(network, dep, { k: 1, radiusKm: 29 }, model).sites).toEqual([]);
  });

  it('rejects k ≤ 0 and T outside 1–120 naming the argument', () => {
    for (const [req, field] of [
      [{ k: 0 }, 'k'],
      [{ k: 2, minutes: 0 }, 'minutes'],
      [{ k: 2, minutes: 121 }, 'minutes'],
      [{ k: 2, radiusKm: -1 }, 'radiusKm'],
    ] as const) {
      try {
        plan(network, dep, req, model);
        expect.unreachable();
      } catch (e) {
        expect((e as DomainError).field).toBe(field);
      }
    }
  });

  it('un par canton: the best commune of each uncovered canton', () => {
    const r = onePerCanton(network, dep, { minutes: 20 }, model);
    expect(r.sites).toEqual([
      { canton: '0202', cantonName: 'Deux', code: '02003', name: 'Cville', addedPopulation: 500 },
    ]);
    expect(r.addedPopulation).toBe(500);
  });

  it('what-if: removing the antenne of Dville changes every indicator it touched', () => {
    const r = whatIf(network, dep, { action: 'remove', id: '2' }, model);
    expect(r.delta.structures).toEqual({ total: -1, fixed: 0, antennes: -1, mobile: 0 });
    expect(r.delta.cantons).toEqual({ total: 0, covered: -1 });
    expect(r.delta.qpv).toEqual({ total: 0, covered: -1 });
    expect((r.delta.population as Record<string, number>).within30).toBe(-4000);
    const add = whatIf(network, dep, { action: 'add', code: '02003' }, model);
    expect((add.delta.population as Record<string, number>).within10).toBe(500);
    const move = whatIf(network, dep, { action: 'move', id: '2', code: '02003' }, model);
    expect(move.delta.structures).toEqual({ total: 0, fixed: 0, antennes: 0, mobile: 0 });
    expect(() => whatIf(network, dep, { action: 'remove', id: 'nope' }, model)).toThrow(/inconnue/);
  });
});
