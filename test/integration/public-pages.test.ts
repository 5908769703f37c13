import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findStructureById,
  insertStructures,
  updateStructureIfVersion,
} from '../../src/db/repositories/directory.repository.js';
import { weeklyHoursFromText } from '../../src/domain/directory/opening-hours.js';
import { type CommuneRecord, CommuneRegistry } from '../../src/domain/geography/index.js';
import type { Geography } from '../../src/services/geography/load-geography.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { aStructure } from '../support/structures.js';

// Tuesday 24 November 2026, 10:30 in Paris.
const NOW = '2026-11-24T09:30:00Z';

/** A tiny hand-written geography, with centroids, so that names and postal codes can be located. */
function tinyGeography(): Geography {
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
      code: '02308',
      nom: 'Flavigny-le-Grand-et-Beaurain',
      type: 'commune-actuelle',
      departement: '02',
      region: '32',
      codesPostaux: ['02120'],
      population: 400,
    },
    {
      code: '02381',
      nom: 'Hirson',
      type: 'commune-actuelle',
      departement: '02',
      region: '32',
      codesPostaux: ['02500'],
      population: 8800,
    },
    {
      code: '65385',
      nom: 'Saint-Martin',
      type: 'commune-actuelle',
      departement: '65',
      region: '76',
      codesPostaux: ['65360'],
      population: 600,
    },
    {
      code: '32385',
      nom: 'Saint-Martin',
      type: 'commune-actuelle',
      departement: '32',
      region: '76',
      codesPostaux: ['32300'],
      population: 300,
    },
    {
      code: '59350',
      nom: 'Lille',
      type: 'commune-actuelle',
      departement: '59',
      region: '32',
      codesPostaux: ['59000'],
      population: 236000,
    },
  ];
  const centroids = new Map([
    ['02361', { lat: 49.9, lon: 3.628 }],
    ['02308', { lat: 49.87, lon: 3.6 }],
    ['02381', { lat: 49.92, lon: 4.08 }],
    ['65385', { lat: 43.15, lon: 0.05 }],
    ['32385', { lat: 43.6, lon: 0.35 }],
    ['59350', { lat: 50.63, lon: 3.06 }],
  ]);
  return {
    communes: new CommuneRegistry({ records, centroids }),
    departements: new Map([
      ['02', { code: '02', name: 'Aisne', region: '32' }],
      ['59', { code: '59', name: 'Nord', region: '32' }],
      ['65', { code: '65', name: 'Hautes-Pyrénées', region: '76' }],
      ['32', { code: '32', name: 'Gers', region: '76' }],
    ]),
    regions: new Map([
      ['32', { code: '32', name: 'Hauts-de-France' }],
      ['76', { code: '76', name: 'Occitanie' }],
    ]),
    epci: new Map(),
    centroidsProblem: null,
  };
}

const EVIL_NAME = '<script>alert(1)</script> France services piégée';
const EVIL_COMMENT = '<img src=x onerror=alert(2)> "guillemets" & co';

/** Every script tag is a file or a JSON island: the CSP forbids inline code. */
function scriptsAreSafe(body: string) {
  for (const tag of body.match(/<script[^>]*>/g) ?? []) {
    expect(tag).toMatch(/ src="\/assets\/|type="application\/json"/);
  }
}

describe('public pages', () => {
  let t: TestApp;
  let outlinesDir: string;
  beforeAll(async () => {
    outlinesDir = mkdtempSync(join(tmpdir(), 'maillage-ref-'));
    const ring = Array.from({ length: 2000 }, (_, i) => {
      const a = (i / 1999) * 2 * Math.PI;
      return [3.6 + Math.cos(a) * 0.5, 49.5 + Math.sin(a) * 0.4];
    });
    writeFileSync(
      join(outlinesDir, 'departements.geojson'),
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { insee_dep: '02', lib_dep: 'Aisne' },
            geometry: { type: 'Polygon', coordinates: [ring] },
          },
        ],
      }),
    );
    t = await buildTestApp({ now: NOW, geography: tinyGeography(), config: { refDir: outlinesDir } });
    await insertStructures(t.ctx.db, [
      aStructure({ idFs: 'GUISE', name: 'France services de Guise', lat: 49.9, lon: 3.627 }),
      aStructure({
        idFs: 'HIRSON',
        name: 'France services d’Hirson',
        codeInsee: '02381',
        postalCode: '02500',
        communeName: 'Hirson',
        lat: 49.921,
        lon: 4.083,
        appointment: true,
        partners: ['caf', 'msa'],
        hours: weeklyHoursFromText({ mercredi: '09:00 - 12:00' }).hours,
      }),
      aStructure({ idFs: 'BUS', name: 'Bus France services Thiérache', format: 'bus', lat: 49.8, lon: 3.9 }),
      aStructure({
        idFs: 'DISTANCE',
        name: 'France services à distance',
        lat: 49.95,
        lon: 3.7,
        telephones: ['03 23 11 22 33'],
        emails: ['distance@example.fr'],
      }),
      aStructure({ idFs: 'FERIE', name: 'France services en inventaire', lat: 49.85, lon: 3.6 }),
      aStructure({ idFs: 'EVIL', name: EVIL_NAME, comment: EVIL_COMMENT, lat: 49.88, lon: 3.65 }),
      aStructure({
        idFs: 'LILLE',
        name: 'France services de Lille',
        codeInsee: '59350',
        postalCode: '59000',
        communeName: 'Lille',
        departement: '59',
        lat: 50.63,
        lon: 3.06,
      }),
    ]);
    const at = new Date(NOW);
    const remote = await findStructureById(t.ctx.db, 'DISTANCE');
    await updateStructureIfVersion(
      t.ctx.db,
      remote?.id as string,
      remote?.version as number,
      { status: 'accueil_a_distance' },
      at,
    );
    const closed = await findStructureById(t.ctx.db, 'FERIE');
    await updateStructureIfVersion(
      t.ctx.db,
      closed?.id as string,
      closed?.version as number,
      { closures: JSON.stringify([{ from: '2026-11-24', to: '2026-11-25', message: 'Inventaire annuel' }]) },
      at,
    );
    t.ctx.locator.invalidate();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(outlinesDir, { recursive: true, force: true });
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  /** The result cards, in order, as text blocks. */
  const cards = (body: string) => body.split('<li class="fr-card').slice(1);

  it('renders the home page in French with one GET search form, filters and no inline script', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="fr"');
    expect(res.body).toContain('<h1>Trouver une France Services</h1>');
    expect(res.body).toMatch(/<form method="get" action="\/"/);
    expect(res.body).toContain('<label class="fr-label" for="q">Adresse, commune ou code postal');
    for (const name of ['partenaire', 'ouvert', 'rdv', 'format'])
      expect(res.body).toContain(`name="${name}"`);
    // Before any result the filters are unfolded; they fold once results show (below).
    expect(res.body).toMatch(
      /<details class="maillage-filters" open>\s*<summary>Affiner la recherche<\/summary>/,
    );
    // "Autour de moi" is an island: hidden until the script shows it.
    expect(res.body).toMatch(/<div class="maillage-geoloc[^"]*" hidden>/);
    expect(res.body).toMatch(/src="\/assets\/v\/geolocate\.[0-9a-f]{12}\.js"/);
    expect(res.body).not.toContain('Recherche par nom de commune indisponible');
    expect(res.body).not.toContain('L’annuaire est vide');
    scriptsAreSafe(res.body);
  });

  it('lists the nearest structures around coordinates, in order, with distance, time and the opening sentence', async () => {
    const res = await get('/?lat=49.9&lon=3.63');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('près de votre position');
    expect(res.body).toMatch(/<ol class="maillage-results">/);
    const list = cards(res.body);
    expect(list.length).toBeGreaterThanOrEqual(6);
    const first = list[0] as string;
    expect(first).toMatch(
      /<h3 class="fr-card__title"><a href="\/structures\/[0-9a-f-]{36}">France services de Guise<\/a><\/h3>/,
    );
    expect(first).toContain('Ouvert maintenant · ferme à 12:00');
    expect(first).toMatch(/à \d+ m · environ \d+ min en voiture/);
    expect(first).toContain('Les 9 partenaires nationaux');
    const hirson = list.find((c) => c.includes('France services d’Hirson')) as string;
    expect(hirson).toContain('Fermé · ouvre demain à 09:00');
    expect(hirson).toMatch(/à \d+(,\d)? km · environ \d+ min en voiture/);
    expect(hirson).toContain('Sur rendez-vous possible');
    const bus = list.find((c) => c.includes('Bus France services Thiérache')) as string;
    expect(bus).toContain('fr-badge');
    expect(bus).toContain('Bus France Services');
    // Closed today by an exceptional closure: said, with its reason, and when it opens again.
    const closed = list.find((c) => c.includes('France services en inventaire')) as string;
    expect(closed).toContain('Fermé · ouvre jeudi à 09:00 (fermeture exceptionnelle : Inventaire annuel)');
    // The map is an island fed by JSON: hidden without JavaScript.
    expect(res.body).toMatch(/<div id="carte" class="maillage-map[^"]*" hidden role="region"/);
    expect(res.body).toContain('<script type="application/json" id="carte-donnees">');
    // Leaflet's minified build first (a classic deferred script), then the island.
    const leaflet = res.body.search(
      /<script defer fetchpriority="low" src="\/assets\/v\/leaflet\.[0-9a-f]{12}\.js"><\/script>/,
    );
    const island = res.body.search(
      /<script type="module" fetchpriority="low" src="\/assets\/v\/map\.[0-9a-f]{12}\.js">/,
    );
    expect(leaflet).toBeGreaterThan(0);
    expect(island).toBeGreaterThan(leaflet);
    // Filters fold under "Affiner la recherche" once results show; the map loads the Aisne's outline only.
    expect(res.body).toMatch(/<details class="maillage-filters">\s*<summary>Affiner la recherche<\/summary>/);
    expect(res.body).toMatch(/"outlinesUrl":"\/geo\/departements\.geojson\?dep=02(,\d\d)*"/);
    scriptsAreSafe(res.body);
  });

  it('puts phone and email first, before the distance, when a structure receives at a distance only', async () => {
    const res = await get('/?lat=49.9&lon=3.63');
    const remote = cards(res.body).find((c) => c.includes('France services à distance')) as string;
    expect(remote).toContain('Accueil à distance uniquement');
    const phone = remote.indexOf('href="tel:+33323112233"');
    const mail = remote.indexOf('href="mailto:distance@example.fr"');
    const distance = remote.indexOf('en voiture');
    expect(phone).toBeGreaterThan(0);
    expect(mail).toBeGreaterThan(0);
    expect(phone).toBeLessThan(distance);
    expect(mail).toBeLessThan(distance);
    expect(remote).not.toContain('Ouvert maintenant');
  });

  it('applies the filters: open now, partner, mobile, appointment', async () => {
    const names = async (qs: string) => {
      const res = await get(`/?lat=49.9&lon=3.63&${qs}`);
      expect(res.statusCode).toBe(200);
      return cards(res.body).map((c) => c.match(/<a href="\/structures\/[^"]+">([^<]*)<\/a>/)?.[1]);
    };
    const open = await names('ouvert=1');
    expect(open).toContain('France services de Guise');
    expect(open).not.toContain('France services d’Hirson');
    expect(open).not.toContain('France services à distance');
    // "Rendez-vous en ligne sous 14 jours" reads real availability (issue 15): Hirson declares appointments
    // in the official list but has no motif nor plage here.
    expect(await names('partenaire=msa&format=fixe&rdv=1')).toEqual([]);
    expect(await names('partenaire=msa&format=fixe')).toContain('France services d’Hirson');
    expect(await names('format=mobile')).toEqual(['Bus France services Thiérache']);
    // The form shows the filters back, so the shared URL reproduces the same page.
    const res = await get('/?lat=49.9&lon=3.63&ouvert=1&partenaire=msa&format=mobile');
    expect(res.body).toMatch(/id="ouvert" name="ouvert" value="1" checked/);
    expect(res.body).toContain('<option value="msa" selected>');
    expect(res.body).toMatch(/id="format-mobile" name="format" value="mobile" checked/);
  });

  it('locates a commune by name or postal code, asks to choose between homonyms, and says when nothing matches', async () => {
    const guise = await get('/?q=guise');
    expect(guise.statusCode).toBe(200);
    expect(guise.body).toContain('près de Guise (02)');
    expect(cards(guise.body)[0]).toContain('France services de Guise');
    expect(guise.body).toContain('value="guise"');

    const postal = await get('/?q=02500');
    expect(postal.body).toContain('près de Hirson (02500)');
    expect(cards(postal.body)[0]).toContain('France services d’Hirson');

    // A postal code shared by neighbours: the most populated is taken, the others are offered.
    const shared = await get('/?q=02120');
    expect(shared.body).toContain('près de Guise (02120)');
    expect(shared.body).toContain(
      'Vous cherchiez peut-être : <a href="/?q=Flavigny-le-Grand-et-Beaurain+%2802120%29&amp;lat=49.87&amp;lon=3.6">',
    );

    const homonyms = await get('/?q=Saint-Martin&ouvert=1');
    expect(homonyms.statusCode).toBe(200);
    expect(homonyms.body).toContain('Précisez votre recherche');
    expect(homonyms.body).toContain('Saint-Martin (65)');
    expect(homonyms.body).toContain('Saint-Martin (32)');
    // Each choice is a link that keeps the filters and holds the coordinates.
    expect(homonyms.body).toContain(
      'href="/?q=Saint-Martin+%2865%29&amp;lat=43.15&amp;lon=0.05&amp;ouvert=1"',
    );
    const chosen = await get('/?q=Saint-Martin+%2865%29&lat=43.15&lon=0.05&ouvert=1');
    expect(chosen.body).toContain('près de Saint-Martin (65)');

    const none = await get('/?q=Zzyzx-les-Bains');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('Aucun lieu trouvé pour « Zzyzx-les-Bains »');
    expect(cards(none.body)).toHaveLength(0);
  });

  it('answers hostile query strings with a French page and a 400 or a message, never a 500', async () => {
    const cases: Array<[string, number, string]> = [
      [`/?q=${'x'.repeat(300)}`, 400, 'Votre recherche est trop longue'],
      [`/?q=${'x'.repeat(5000)}`, 400, 'ne doit pas dépasser'],
      ['/?lat=abc&lon=3', 400, 'La position transmise est invalide'],
      ['/?lat=91&lon=3', 400, 'La position transmise est invalide'],
      ['/?lat=49.9', 400, 'La position transmise est invalide'],
      ['/?lat=1e400&lon=Infinity', 400, 'La position transmise est invalide'],
      ['/?lat=49.9&lon=3.63&partenaire=licorne', 400, 'Partenaire inconnu'],
      ['/?lat=49.9&lon=3.63&format=avion', 400, 'Type d’accueil inconnu'],
      ['/?q=a&q=b', 400, 'Demande incorrecte'],
      ['/embed?lat=abc&lon=3', 400, 'La position transmise est invalide'],
      ['/?q=%00%01%02', 200, 'Aucun lieu trouvé'],
      ['/?q=%E9t%E9', 200, 'Trouver une France Services'],
    ];
    for (const [url, status, text] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('<html lang="fr"');
      expect(res.body, url).toContain(text);
    }
    // The long text is shown back escaped in the field, with the error tied to it.
    const long = await get(`/?q=${'x'.repeat(300)}`);
    expect(long.body).toContain('aria-describedby="q-erreur" aria-invalid="true"');
    expect(long.body).toContain('<title>Erreur : recherche incorrecte — France Services</title>');
  });

  it('escapes a script typed in the search box', async () => {
    const res = await get(`/?q=${encodeURIComponent('<script>alert("q")</script>')}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;');
    scriptsAreSafe(res.body);
    const chosen = await get(`/?q=${encodeURIComponent('"><script>alert(1)</script>')}&lat=49.9&lon=3.63`);
    expect(chosen.body).not.toContain('<script>alert');
    expect(chosen.body).toContain('près de &quot;&gt;&lt;script&gt;');
  });

  it('escapes a script stored in a structure’s name or comment on every page', async () => {
    const evil = await findStructureById(t.ctx.db, 'EVIL');
    for (const url of [
      '/?lat=49.9&lon=3.63',
      '/embed?lat=49.9&lon=3.63',
      '/departements/02',
      `/structures/${evil?.id}`,
      '/structures/EVIL',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt; France services piégée');
      expect(res.body, url).not.toContain('<script>alert');
      expect(res.body, url).not.toContain('<img src=x');
      scriptsAreSafe(res.body);
      // In the JSON island, `<` is escaped so that the text cannot close the tag.
      if (res.body.includes('carte-donnees')) expect(res.body, url).toContain('\\u003cscript>alert(1)');
    }
    const page = await get('/structures/EVIL');
    expect(page.body).toContain('&lt;img src=x onerror=alert(2)&gt; &quot;guillemets&quot; &amp; co');
  });

  it('shows a structure: hours table with today marked, contact links, directions, partners', async () => {
    const res = await get('/structures/GUISE');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>France services de Guise</h1>');
    expect(res.body).toContain('Ouvert maintenant · ferme à 12:00');
    expect(res.body).toContain('<caption>Horaires d’ouverture habituels</caption>');
    expect(res.body).toMatch(/<th scope="col">Jour<\/th><th scope="col">Horaires<\/th>/);
    // Tuesday is today: highlighted, and said to screen readers.
    expect(res.body).toMatch(
      /<tr class="maillage-today" aria-current="date"><th scope="row">Mardi <span[^>]*>aujourd’hui<\/span><\/th><td>09:00 – 12:00 et 13:30 – 17:00<\/td><\/tr>/,
    );
    expect(res.body.match(/aria-current="date"/g)).toHaveLength(1);
    expect(res.body).toMatch(/<th scope="row">Samedi<\/th><td>Fermé<\/td>/);
    expect(res.body).toContain('href="tel:+33323000000"');
    expect(res.body).toContain('href="mailto:guise@france-services.gouv.fr"');
    expect(res.body).toMatch(
      /href="https:\/\/www\.openstreetmap\.org\/directions\?to=49\.90000%2C3\.62700" target="_blank" rel="noopener"/,
    );
    expect(res.body).toContain('Caisse d’allocations familiales (CAF)');
    expect(res.body).toContain('Accueil sans rendez-vous');
    expect(res.body).toContain('href="/departements/02"');
    // The uuid works as well as the official id.
    const byUuid = await get(`/structures/${(await findStructureById(t.ctx.db, 'GUISE'))?.id}`);
    expect(byUuid.statusCode).toBe(200);
    expect(byUuid.body).toContain('<h1>France services de Guise</h1>');
  });

  it('puts phone and email first in a callout on the page of a structure receiving at a distance', async () => {
    const res = await get('/structures/DISTANCE');
    expect(res.statusCode).toBe(200);
    const callout = res.body.indexOf('<div class="fr-callout');
    expect(callout).toBeGreaterThan(0);
    expect(res.body.slice(callout, callout + 600)).toContain('Accueil à distance uniquement');
    const phone = res.body.indexOf('href="tel:+33323112233"');
    expect(phone).toBeGreaterThan(callout);
    expect(phone).toBeLessThan(res.body.indexOf('id="horaires"'));
    expect(res.body.indexOf('href="mailto:distance@example.fr"')).toBeLessThan(
      res.body.indexOf('id="horaires"'),
    );
  });

  it('lists exceptional closures and appointment information on the structure page', async () => {
    const closed = await get('/structures/FERIE');
    expect(closed.body).toContain('Fermetures exceptionnelles');
    expect(closed.body).toContain('Du 24 novembre 2026 au 25 novembre 2026 inclus : Inventaire annuel');
    const hirson = await get('/structures/HIRSON');
    expect(hirson.body).toContain('Vous pouvez prendre rendez-vous');
    expect(hirson.body).toContain('Mutualité sociale agricole (MSA)');
    expect(hirson.body).not.toContain('Assurance retraite');
  });

  it('answers an unknown structure with a French 404 page, and an absurd id with a 400', async () => {
    for (const id of ['INCONNU', '00000000-0000-4000-8000-000000000000']) {
      const res = await get(`/structures/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('<html lang="fr"');
      expect(res.body).toContain('Page introuvable');
      expect(res.body).toContain('Aucune France Services ne porte cet identifiant');
    }
    const long = await get(`/structures/${'x'.repeat(100)}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('<html lang="fr"');
  });

  it('lists the departments with their counts, and every structure of one department', async () => {
    const list = await get('/departements');
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatch(
      /<td>02<\/td><th scope="row"><a href="\/departements\/02">Aisne<\/a><\/th><td>Hauts-de-France<\/td><td>6<\/td>/,
    );
    expect(list.body).toMatch(
      /<a href="\/departements\/59">Nord<\/a><\/th><td>Hauts-de-France<\/td><td>1<\/td>/,
    );
    expect(list.body).toMatch(/<a href="\/departements\/32">Gers<\/a><\/th><td>Occitanie<\/td><td>0<\/td>/);
    const aisne = await get('/departements/02');
    expect(aisne.statusCode).toBe(200);
    expect(aisne.body).toContain('France Services : Aisne (02)');
    expect(aisne.body).toContain('6 France Services dans ce département');
    for (const name of [
      'France services de Guise',
      'France services d’Hirson',
      'Bus France services Thiérache',
    ]) {
      expect(aisne.body).toContain(name);
    }
    expect(aisne.body).not.toContain('France services de Lille');
    expect(aisne.body).toContain('Ouvert maintenant · ferme à 12:00');
    const gers = await get('/departements/32');
    expect(gers.statusCode).toBe(200);
    expect(gers.body).toContain('Aucune France Services n’est enregistrée dans ce département');
    for (const code of ['99', 'abc', '2C']) {
      const res = await get(`/departements/${code}`);
      expect(res.statusCode, code).toBe(404);
      expect(res.body).toContain('Ce département n’existe pas');
    }
  });

  it('serves an embeddable search that any site may frame, with results opening in a new tab', async () => {
    const res = await get('/embed?lat=49.9&lon=3.63');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.body).toContain('class="maillage-embed"');
    expect(res.body).not.toContain('fr-header');
    expect(res.body).toMatch(/<form method="get" action="\/embed"/);
    expect(cards(res.body)[0]).toMatch(
      /target="_blank" rel="noopener" title="France services de Guise — nouvelle fenêtre"/,
    );
    // Other pages stay unframeable.
    const home = await get('/');
    expect(home.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(home.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('describes the open data exports and the API, and states the accessibility', async () => {
    const data = await get('/donnees');
    expect(data.statusCode).toBe(200);
    for (const f of ['csv', 'geojson', 'lmn'])
      expect(data.body).toContain(`href="/api/v1/structures/export?format=${f}"`);
    expect(data.body).toContain('href="/api/docs"');
    expect(data.body).toContain('7 France Services dans l’annuaire');
    const a11y = await get('/accessibilite');
    expect(a11y.statusCode).toBe(200);
    expect(a11y.body).toContain('<strong>partiellement conforme</strong>');
    expect(a11y.body).toContain('axe-core');
  });

  it('serves simplified department outlines for the map without tiles, cached', async () => {
    const res = await get('/geo/departements.geojson');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/geo+json');
    const geo = res.json();
    expect(geo.features[0].properties).toEqual({ code: '02', nom: 'Aisne' });
    const ring = geo.features[0].geometry.coordinates[0] as number[][];
    expect(ring.length).toBeGreaterThanOrEqual(4);
    expect(ring.length).toBeLessThan(500);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    const again = await t.app.inject({
      url: '/geo/departements.geojson',
      headers: { 'if-none-match': res.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });

  it('serves only the departments a map asks for, and refuses malformed or oversized lists in French', async () => {
    const one = await get('/geo/departements.geojson?dep=02');
    expect(one.statusCode).toBe(200);
    expect(one.json().features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual([
      '02',
    ]);
    // Duplicates, spaces and case are tolerated; a department without an outline is simply absent.
    const tolerant = await get('/geo/departements.geojson?dep=%2002,02,2a');
    expect(tolerant.statusCode).toBe(200);
    expect(tolerant.json().features).toHaveLength(1);
    const tooMany = Array.from({ length: 21 }, (_, i) => String(i + 1).padStart(2, '0')).join(',');
    for (const dep of [
      '99',
      '<script>alert(1)</script>',
      '02;DROP TABLE',
      'Infinity',
      tooMany,
      '0'.repeat(300),
    ]) {
      const res = await get(`/geo/departements.geojson?dep=${encodeURIComponent(dep)}`);
      expect(res.statusCode, dep).toBe(400);
      expect(res.json(), dep).toMatchObject({ error: expect.any(String), field: expect.anything() });
      expect(res.json().message, dep).toMatch(/département|caractères|dep/i);
      expect(res.body).not.toContain('<script>');
    }
  });
});

describe('public pages on a fresh install', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The package's communes without centroids, and an empty directory.
    t = await buildTestApp({ now: NOW });
  });
  afterAll(async () => t?.close());

  it('tells the administrator how to load the list, and says plainly why commune names cannot be searched', async () => {
    const res = await t.app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('L’annuaire est vide');
    expect(res.body).toContain('npx maillage import structures &lt;fichier.csv&gt;');
    expect(res.body).toContain('npx maillage import structures --from-datagouv');
    expect(res.body).toContain('Recherche par nom de commune indisponible');
    expect(res.body).toContain(t.ctx.geography.centroidsProblem as string);
    const search = await t.app.inject('/?q=Guise');
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('Aucun lieu trouvé pour « Guise »');
    expect(search.body).toContain('La recherche par nom de commune est indisponible');
  });

  it('has no outlines to serve without a reference folder', async () => {
    const res = await t.app.inject('/geo/departements.geojson');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });
});
