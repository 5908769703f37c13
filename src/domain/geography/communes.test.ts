import { describe, expect, it } from 'vitest';
import { parseCentroidsCsv } from './centroids.js';
import { type CommuneRecord, CommuneRegistry, normalizePlaceName } from './communes.js';

const records: CommuneRecord[] = [
  {
    code: '02361',
    nom: 'Guise',
    type: 'commune-actuelle',
    departement: '02',
    region: '32',
    codesPostaux: ['02120'],
    population: 4800,
  },
  {
    code: '49126',
    nom: 'Orée d’Anjou',
    type: 'commune-actuelle',
    departement: '49',
    region: '52',
    codesPostaux: ['49270', '49530'],
    population: 16000,
    anciensCodes: ['49001'],
  },
  {
    code: '49069',
    nom: 'Champtoceaux',
    type: 'commune-deleguee',
    chefLieu: '49126',
    departement: '49',
    region: '52',
  },
  {
    code: '13055',
    nom: 'Marseille',
    type: 'commune-actuelle',
    departement: '13',
    region: '93',
    codesPostaux: ['13001', '13002'],
    population: 870000,
  },
  {
    code: '13201',
    nom: 'Marseille 1er Arrondissement',
    type: 'arrondissement-municipal',
    commune: '13055',
    departement: '13',
    region: '93',
    codesPostaux: ['13001'],
    population: 37599,
  },
  {
    code: '42218',
    nom: 'Saint-Étienne',
    type: 'commune-actuelle',
    departement: '42',
    region: '84',
    codesPostaux: ['42000'],
    population: 170000,
  },
  {
    code: '76540',
    nom: 'Saint-Étienne-du-Rouvray',
    type: 'commune-actuelle',
    departement: '76',
    region: '28',
    codesPostaux: ['76800'],
    population: 28000,
  },
];

describe('CommuneRegistry', () => {
  const registry = new CommuneRegistry({
    records,
    epciMembers: new Map([['200071876', ['02361']]]),
    centroids: new Map([['02361', { lat: 49.9, lon: 3.63 }]]),
  });

  it('resolves current, old, delegated and arrondissement codes to a current place', () => {
    expect(registry.resolve('02361')?.name).toBe('Guise');
    expect(registry.resolve('49001')?.code).toBe('49126');
    expect(registry.resolve('49069')?.code).toBe('49126');
    expect(registry.resolve('13201')?.parent).toBe('13055');
    expect(registry.resolve('99999')).toBeNull();
    expect(registry.size).toBe(6); // 5 communes and 1 arrondissement
  });

  it('carries EPCI and centroids when given', () => {
    expect(registry.resolve('02361')).toMatchObject({
      epci: '200071876',
      centroid: { lat: 49.9, lon: 3.63 },
    });
    expect(registry.resolve('42218')?.centroid).toBeNull();
    expect(registry.hasCentroids).toBe(true);
  });

  it('finds communes by name whatever the accents, case, hyphens or "St" abbreviation', () => {
    expect(registry.searchByName('st etienne').map((c) => c.code)).toEqual(['42218', '76540']);
    expect(registry.searchByName('SAINT-ÉTIENNE')[0]?.code).toBe('42218');
    expect(registry.searchByName('oree d anjou')[0]?.code).toBe('49126');
    expect(registry.searchByName('marseille').map((c) => c.code)).toEqual(['13055', '13201']);
    expect(registry.searchByName('x')).toEqual([]);
  });

  it('finds communes by postal code, most populated first', () => {
    expect(registry.byPostalCode('13001').map((c) => c.code)).toEqual(['13055', '13201']);
    expect(registry.byPostalCode('00000')).toEqual([]);
  });

  it('normalises place names the way people type them', () => {
    expect(normalizePlaceName('  L’Haÿ-les-Roses ')).toBe('l hay les roses');
    expect(normalizePlaceName('Ste-Foy')).toBe('sainte foy');
  });
});

describe('parseCentroidsCsv', () => {
  it('accepts good rows and reports bad ones with their line', () => {
    const csv =
      '\uFEFFcode_insee,nom,latitude,longitude\n02361,Guise,49.9,3.63\nABCDE,X,1,2\n02362,Y,,\n2A004,Ajaccio,41.93,8.74\n';
    const { centroids, issues } = parseCentroidsCsv(csv);
    expect([...centroids.keys()]).toEqual(['02361', '2A004']);
    expect(issues).toEqual([
      { line: 3, field: 'code_insee', message: expect.stringContaining('ABCDE') },
      { line: 4, field: 'latitude', message: expect.any(String) },
    ]);
  });

  it('reads a file without quotes (line by line) as the CSV reader reads a quoted one', () => {
    const plain =
      'latitude,code_insee,nom,longitude\r\n49.9,02361,Guise,3.63\r\n\r\n  \r\n1,ABCDE\r\n41.93,2A004,Ajaccio,8.74,extra\r\n';
    const quoted = plain.replace('Guise', '"Guise"').replace('Ajaccio', '"Ajac\ncio"');
    const a = parseCentroidsCsv(plain);
    const b = parseCentroidsCsv(quoted);
    expect([...a.centroids]).toEqual([...b.centroids]);
    expect(a.issues).toEqual(b.issues);
    expect([...a.centroids.keys()]).toEqual(['02361', '2A004']);
    expect(a.issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'code_insee'],
      [4, 'code_insee'],
    ]);
  });

  it('refuses a file without the needed columns', () => {
    const { centroids, issues } = parseCentroidsCsv('a,b\n1,2\n');
    expect(centroids.size).toBe(0);
    expect(issues[0]).toMatchObject({ line: 1, message: expect.stringContaining('code_insee') });
  });
});
