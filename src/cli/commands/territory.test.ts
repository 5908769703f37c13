import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCER_FIXTURE_TEXTS, zipOf } from '../../../test/support/producer-fixtures.js';
import { TERRITORY_FIXTURE_FILES, territoryFixtureDir } from '../../../test/support/territory-fixtures.js';
import { PRODUCER_INPUTS, type ProducerInput } from '../../domain/territory/index.js';
import { PRODUCER_SOURCES } from '../../services/territory/producer-sources.js';
import {
  folderIssues,
  readCantonOutlines,
  readReferenceFolder,
  referenceGeographyFromFolder,
} from '../../services/territory/reference-folder.js';
import { formatRefSync, planRequest, runRefSync, whatIfChange } from './territory.js';

const FIXTURES = territoryFixtureDir();

/**
 * `ref sync` against a local server that plays every producer at the path of its real URL (no test
 * reaches the internet): `/miroir/fr/statistiques/fichier/8377162/v_commune_2025.csv`, and so on. The
 * cantons are served in Windows-1252 and the QPV zipped, as their producers may. `/reference/<name>`
 * serves a mirror in our own format. A test may make one path misbehave.
 */
const PRODUCER_BODIES = new Map<string, Buffer>(
  PRODUCER_INPUTS.map((id) => {
    const u = new URL(PRODUCER_SOURCES[id].url);
    const text = PRODUCER_FIXTURE_TEXTS[id];
    const body =
      id === 'cogCantons'
        ? Buffer.from(text, 'latin1')
        : id === 'qpv'
          ? zipOf({
              'LISEZMOI.txt': 'QPV 2024',
              'GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson': text,
            })
          : Buffer.from(text);
    return [`/miroir${u.pathname}${u.search}`, body];
  }),
);
const pathOf = (id: ProducerInput) => {
  const u = new URL(PRODUCER_SOURCES[id].url);
  return `/miroir${u.pathname}${u.search}`;
};

let server: Server;
let origin: string;
const requested: string[] = [];
let misbehave: ((path: string, res: ServerResponse) => boolean) | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    if (misbehave?.(path, res)) return;
    const body = path.startsWith('/reference/')
      ? (() => {
          try {
            return readFileSync(join(FIXTURES, path.slice('/reference/'.length)));
          } catch {
            return undefined;
          }
        })()
      : (PRODUCER_BODIES.get(path) ??
        (path === '/autre/zrr.csv' ? Buffer.from('INSEE;ZRR\n2001;1\n') : undefined));
    if (!body) {
      res.statusCode = 404;
      res.end('absent');
      return;
    }
    res.setHeader('content-length', String(body.length));
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  misbehave = null;
  requested.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(FIXTURES, { recursive: true, force: true });
});

/** The fixtures are a handful of communes, with many dirty rows: the production floors cannot apply. */
const SMALL = {
  minRows: Object.fromEntries(
    [
      'communes',
      'communeCantons',
      'cantons',
      'densite',
      'zrr',
      'qpv',
      'qpvCommunes',
      'departements',
      'cantonOutlines',
    ].map((k) => [k, 1]),
  ),
  maxRejectedShare: 0.5,
};

async function scratch(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Every file of a folder with its bytes, hidden ones included (a leftover temporary folder would show). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort())
    out[name] = await readFile(join(dir, name), 'utf8').catch(() => '<dossier>');
  return out;
}

describe('maillage ref sync, from the producers', () => {
  it('converts every producer file into a folder that ref load accepts, and reports what it left out', async () => {
    const out = await scratch('maillage-sync-');
    const r = await runRefSync({ out, from: `${origin}/miroir/`, limits: SMALL });

    expect(requested.sort()).toEqual(PRODUCER_INPUTS.map(pathOf).sort());
    expect(r.downloads.map((d) => d.source)).toEqual(PRODUCER_INPUTS.map((id) => PRODUCER_SOURCES[id].label));
    expect(r.downloads.find((d) => d.source === 'v_canton_2025.csv')?.encoding).toBe('Windows-1252');
    // geo.api's query string is kept on the mirror.
    expect(r.downloads[0]?.url).toBe(
      `${origin}/miroir/communes?type=commune-actuelle,arrondissement-municipal&fields=code,nom,type,zone,codeDepartement,codeRegion,codeParent,centre,population,codesPostaux,anciensCodes&format=json`,
    );
    expect((await readdir(out)).sort()).toEqual([
      'cantons-2025.geojson',
      'cantons.csv',
      'communes-cantons.csv',
      'communes-centroids.csv',
      'departements.geojson',
      'grille-densite.csv',
      'qpv-communes.csv',
      'qpv.csv',
      'zrr.csv',
    ]);

    const folder = await readReferenceFolder(out);
    expect(folderIssues(folder)).toEqual([]);
    const geography = referenceGeographyFromFolder(folder);
    expect(geography.city('75101')?.code).toBe('75056');
    expect(geography.city('02004')).toMatchObject({
      canton: '0203',
      zrr: true,
      densiteKnown: false,
    });
    expect(geography.city('02003')).toMatchObject({ canton: '0202', zrr: true, grille7: 7, rural: true });
    expect(folder.cantons.rows.find((c) => c.code === '0201')).toMatchObject({
      nom: 'Un',
      type: 'C',
      composition: 1,
      bureauCentralisateur: '02001',
      nbCommunesEntieres: 2,
      populationCommunesEntieres: 3000,
    });
    expect(folder.cantons.rows.find((c) => c.code === '0301')?.nom).toBe('Cérilly');
    expect(folder.zrr.rows.find((z) => z.code === '02004')).toEqual({
      code: '02004',
      zrr: true,
      statut: 'partiellement classée',
    });
    expect(folder.qpv.rows.map((q) => [q.code, q.communes])).toEqual([
      ['QN00201M', ['02004', '02001']],
      ['QN00202M', ['02003', '02002']],
      ['QN07501M', ['75056']],
    ]);
    expect(folder.departements.rows.map((d) => d.code)).toEqual(['02', '03', '75']);
    const outlines = await readCantonOutlines(out);
    expect(outlines?.issues).toEqual([]);
    expect(outlines?.outlines.locate('02', 3.0, 49.0)).toBe('0201');

    const centroids = r.files.find((f) => f.file === 'communes-centroids.csv');
    expect(centroids?.rows).toBe(11);
    expect(centroids?.rejected).toEqual([
      {
        source: 'geo.api.gouv.fr/communes',
        line: 6,
        field: 'centre',
        message: 'Pas de centre pour la commune 02005.',
      },
      {
        source: 'geo.api.gouv.fr/communes',
        line: 13,
        field: 'code',
        message: 'Code INSEE invalide : « ABCDE ».',
      },
    ]);
    const text = formatRefSync(r);
    expect(text).toContain(
      'communes-centroids.csv ← geo.api.gouv.fr/communes, élément 6 [centre] Pas de centre pour la commune 02005.',
    );
    expect(text).toContain(
      'communes-cantons.csv ← v_commune_2025.csv, ligne 14 [CAN] Canton 0299 absent du fichier des cantons, ou rejeté.',
    );
    expect(text).toContain(
      'zrr.csv ← zrr.csv (ANCT), ligne 8 [ZRR] Valeur inconnue : « 2 » (attendu 0 ou 1).',
    );
    expect(text).toMatch(/cantons\.csv : nb_communes_entieres et population_communes_entieres sont calculés/);
    await rm(out, { recursive: true, force: true });
  });

  it('takes a source from its own variable (MAILLAGE_REF_URL_…), which wins over --from', async () => {
    const out = await scratch('maillage-sync-');
    const r = await runRefSync({
      out,
      from: `${origin}/miroir`,
      urls: { MAILLAGE_REF_URL_ZRR: `${origin}/autre/zrr.csv` },
      limits: SMALL,
    });
    expect(requested).toContain('/autre/zrr.csv');
    expect(requested).not.toContain(pathOf('zrr'));
    // That list has 02001 only (classée), which 02008 was restored out of.
    expect((await readReferenceFolder(out, ['zrr'])).zrr.rows).toEqual([
      { code: '02001', zrr: true, statut: 'classée' },
      { code: '02008', zrr: true, statut: 'classée' },
    ]);
    expect(r.files.find((f) => f.file === 'zrr.csv')?.rows).toBe(2);
    await rm(out, { recursive: true, force: true });
  });
});

describe('maillage ref sync leaves the folder as it was when a file fails', () => {
  let out: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    out = await scratch('maillage-sync-garde-');
    for (const [name, body] of Object.entries(TERRITORY_FIXTURE_FILES))
      await writeFile(join(out, name), body);
    before = await snapshot(out);
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  /** Source `id` answers with `respond`; the others as usual. */
  const on =
    (id: ProducerInput, respond: (res: ServerResponse) => void) => (path: string, res: ServerResponse) => {
      if (path !== pathOf(id)) return false;
      respond(res);
      return true;
    };
  const cases: Array<[string, (path: string, res: ServerResponse) => boolean, RegExp, object?]> = [
    [
      'a 404',
      on('cogCantons', (res) => {
        res.statusCode = 404;
        res.end('absent');
      }),
      /v_canton_2025\.csv : http:\/\/127\.0\.0\.1:\d+\/miroir\/fr\/statistiques\/fichier\/8377162\/v_canton_2025\.csv a répondu 404 Not Found\./,
    ],
    [
      'a download cut short',
      on('geoCommunes', (res) => {
        res.setHeader('content-length', '100000');
        res.write('[{"code":"02001",');
        setTimeout(() => res.destroy(), 20);
      }),
      /geo\.api\.gouv\.fr\/communes : (téléchargement interrompu après \d+ octets|fichier tronqué)/,
    ],
    [
      'an HTML error page (announced)',
      on('densite', (res) => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end('<!doctype html><p>Service indisponible</p>');
      }),
      /communes-france-2025\.csv : .* a renvoyé une page HTML au lieu du fichier attendu\./,
    ],
    [
      'an HTML page served as CSV',
      on('zrr', (res) => {
        res.setHeader('content-type', 'text/csv');
        res.end('\n<html><body>Erreur 500</body></html>');
      }),
      /zrr\.csv \(ANCT\) : le serveur a renvoyé une page HTML ou XML au lieu du fichier attendu/,
    ],
    [
      'malformed JSON',
      on('geoCommunes', (res) => res.end('[{"code": 02001}]')),
      /geo\.api\.gouv\.fr\/communes : ce n’est pas du JSON lisible/,
    ],
    [
      'a file announced beyond its size limit',
      on('zrr', (res) => {
        res.setHeader('content-length', String(50_000));
        res.end('x'.repeat(50_000));
      }),
      /zrr\.csv \(ANCT\) : 49 Ko annoncés par .*, au-delà de la limite de 1000 octets pour ce fichier\./,
      { maxBytes: { zrr: 1000 } },
    ],
    [
      'a file that keeps coming without a length',
      on('departements', (res) => {
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const push = () => {
          while (sent < 40 && !res.destroyed && res.write(chunk)) sent++;
          if (sent < 40 && !res.destroyed) res.once('drain', push);
          else res.end();
        };
        push();
      }),
      /departements-100m\.geojson : plus de 1 Mo reçus de .* au-delà de la limite pour ce fichier\./,
      { maxBytes: { departements: 1024 * 1024 } },
    ],
    [
      'a ZIP without the expected entry',
      on('qpv', (res) => res.end(zipOf({ 'autre.geojson': '{}' }))),
      /QP2024_France_Hexagonale_Outre_Mer_WGS84\.geojson : pas de fichier « QP2024_France_Hexagonale_Outre_Mer_WGS84\.geojson » dans l’archive \(elle contient : autre\.geojson\)\./,
    ],
    [
      'a truncated producer file (the production floors)',
      () => false,
      /communes-centroids\.csv : 11 ligne\(s\) seulement après conversion, au moins 34\s000 attendues/,
      { minRows: undefined },
    ],
    [
      'too many rejected rows (the producer’s format changed?)',
      () => false,
      /communes-centroids\.csv : 2 ligne\(s\) rejetée\(s\) sur 13 \(15 %\), au-delà de 5 % : le format du producteur a sans doute changé\. Premier rejet : geo\.api\.gouv\.fr\/communes, élément 6 \[centre\] Pas de centre pour la commune 02005\./,
      { maxRejectedShare: undefined },
    ],
  ];

  for (const [what, behaviour, message, limits] of cases) {
    it(`${what}: a French message naming the file and why, nothing changed`, async () => {
      misbehave = behaviour;
      const error = await runRefSync({
        out,
        from: `${origin}/miroir`,
        limits: { ...SMALL, ...limits },
      }).catch((e) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('CliError');
      expect(error.message).toMatch(
        new RegExp(`^Synchronisation interrompue : rien n’a été modifié dans ${out}\\.\n`),
      );
      expect(error.message).toMatch(message);
      expect(await snapshot(out)).toEqual(before);
    });
  }
});

describe('maillage ref sync --format reference (a mirror of our own files)', () => {
  it('downloads every reference file into a folder that ref load accepts (canton outlines optional)', async () => {
    const out = await scratch('maillage-sync-');
    const r = await runRefSync({ out, from: `${origin}/reference/`, format: 'reference' });
    expect(r.downloads.map((d) => d.source)).toHaveLength(8);
    expect((await readdir(out)).sort()).toEqual(r.files.map((f) => f.file).sort());
    expect(await readFile(join(out, 'cantons.csv'), 'utf8')).toBe(TERRITORY_FIXTURE_FILES['cantons.csv']);
    expect(r.files.find((f) => f.file === 'communes-centroids.csv')?.rows).toBe(6);
    const folder = await readReferenceFolder(out);
    expect(folder.communes.rows).toHaveLength(6);
    await rm(out, { recursive: true, force: true });
  });

  it('stops with a clear message when the mirror lacks a file, and writes nothing', async () => {
    const out = await scratch('maillage-sync-');
    await expect(
      runRefSync({ out, from: `${origin}/reference/inexistant/`, format: 'reference' }),
    ).rejects.toThrow(
      /communes-centroids\.csv : .*\/reference\/inexistant\/communes-centroids\.csv a répondu 404/,
    );
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  it('refuses a mirror file with an invalid row, naming its line', async () => {
    const out = await scratch('maillage-sync-');
    misbehave = (path, res) => {
      if (path !== '/reference/zrr.csv') return false;
      res.end(`${TERRITORY_FIXTURE_FILES['zrr.csv']}02009,Xville,02,1,non classée,,\n`);
      return true;
    };
    await expect(runRefSync({ out, from: `${origin}/reference`, format: 'reference' })).rejects.toThrow(
      /zrr\.csv : ligne 7 \[zrr_statut\] zrr=1 contredit le statut « non classée »\./,
    );
    expect(await readdir(out)).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });
});

describe('CLI arguments', () => {
  it('reads plan arguments and names the one at fault', () => {
    expect(planRequest({ k: '5', minutes: '20' })).toMatchObject({ k: 5, minutes: 20, exact: false });
    expect(planRequest({ k: '3', radiusKm: '10' })).toMatchObject({ k: 3, minutes: undefined, radiusKm: 10 });
    expect(planRequest({ k: '3' }).minutes).toBe(20);
    expect(planRequest({ k: '3', candidates: 'bureaux' }).candidateSet).toBe('bureaux');
    expect(planRequest({ k: '3', candidates: '02691, 02722' }).candidates).toEqual(['02691', '02722']);
    expect(() => planRequest({})).toThrow(expect.objectContaining({ field: '--k' }));
    expect(() => planRequest({ k: '2.5' })).toThrow(expect.objectContaining({ field: '--k' }));
    expect(() => planRequest({ k: '2', minutes: 'vingt' })).toThrow(
      expect.objectContaining({ field: '--minutes' }),
    );
  });

  it('reads one what-if change', () => {
    expect(whatIfChange({ add: '02003' })).toEqual({ action: 'add', code: '02003' });
    expect(whatIfChange({ move: 'FS2', to: '02003' })).toEqual({ action: 'move', id: 'FS2', code: '02003' });
    expect(() => whatIfChange({})).toThrow(/exactement une/);
    expect(() => whatIfChange({ add: '02003', remove: 'FS1' })).toThrow(/exactement une/);
    expect(() => whatIfChange({ move: 'FS2' })).toThrow(expect.objectContaining({ field: '--to' }));
  });
});
