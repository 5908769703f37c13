import { describe, expect, it } from 'vitest';
import {
  describeStopOpening,
  estimateTravelMinutes,
  matchesStaticFilters,
  publicOpening,
} from './locator.js';
import { weeklyHoursFromText } from './opening-hours.js';
import { PARTNERS, type Structure } from './structure.js';

const base: Structure = {
  id: 'u1',
  idFs: '1',
  name: 'FS',
  type: 'principal',
  format: 'fixe',
  group: null,
  address: '1 rue',
  addressComplement: null,
  codeInsee: '02361',
  postalCode: '02120',
  communeName: 'Guise',
  departement: '02',
  lat: 49.9,
  lon: 3.63,
  emails: ['a@b.fr'],
  telephones: ['03 00 00 00 00'],
  hours: weeklyHoursFromText({ mardi: '09:00 - 12:00' }).hours,
  closures: [],
  appointment: false,
  comment: null,
  description: null,
  partners: [...PARTNERS],
  labelledOn: null,
  status: 'ouverte',
  statusUntil: null,
  source: 't',
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};
const tuesday1030 = new Date('2026-11-24T09:30:00Z');

describe('publicOpening', () => {
  it('follows the hours when the structure is open', () => {
    expect(publicOpening(base, tuesday1030)).toMatchObject({
      open: true,
      remoteOnly: false,
      closedByStatus: false,
    });
  });

  it('is never open while in remote reception only, and says so', () => {
    expect(publicOpening({ ...base, status: 'accueil_a_distance' }, tuesday1030)).toMatchObject({
      open: false,
      remoteOnly: true,
    });
  });

  it('is closed while temporarily closed, until the end date (inclusive), then follows the hours again', () => {
    const closed = { ...base, status: 'fermee_temporairement' as const, statusUntil: '2026-11-24' };
    expect(publicOpening(closed, tuesday1030)).toMatchObject({ open: false, closedByStatus: true });
    expect(publicOpening({ ...closed, statusUntil: '2026-11-23' }, tuesday1030)).toMatchObject({
      open: true,
    });
  });

  it('honours an exceptional closure', () => {
    const s = { ...base, closures: [{ from: '2026-11-24', to: '2026-11-24', message: 'Formation' }] };
    expect(publicOpening(s, tuesday1030)).toMatchObject({ open: false, closure: { message: 'Formation' } });
  });
});

describe('static filters and travel time', () => {
  it('filters by partner, format and appointment, and never lists a structure closed for good', () => {
    expect(matchesStaticFilters(base, { partner: 'msa', format: 'fixe', appointment: false })).toBe(true);
    expect(matchesStaticFilters({ ...base, partners: ['caf'] }, { partner: 'msa' })).toBe(false);
    expect(matchesStaticFilters({ ...base, format: 'bus' }, { format: 'fixe' })).toBe(false);
    expect(matchesStaticFilters({ ...base, format: 'itinerante' }, { format: 'mobile' })).toBe(true);
    expect(matchesStaticFilters(base, { appointment: true })).toBe(false);
    // The appointment filter reads the set of structures bookable online within 14 days, not the
    // official list's prise_rdv column.
    expect(matchesStaticFilters({ ...base, appointment: true }, { appointment: true })).toBe(false);
    expect(matchesStaticFilters(base, { appointment: true }, new Set([base.id]))).toBe(true);
    expect(matchesStaticFilters(base, { appointment: false }, new Set([base.id]))).toBe(false);
    expect(matchesStaticFilters({ ...base, status: 'fermee_definitivement' }, {})).toBe(false);
  });

  it('estimates minutes growing with distance', () => {
    expect(estimateTravelMinutes(0)).toBe(3);
    expect(estimateTravelMinutes(10)).toBe(20);
    expect(estimateTravelMinutes(30)).toBeGreaterThan(estimateTravelMinutes(10));
  });
});

describe('describeStopOpening', () => {
  const at = new Date('2026-11-24T09:30:00Z'); // Tuesday 10:30 in Paris
  it('says the bus is there, until when', () => {
    const s = describeStopOpening(
      { open: true, closesAt: new Date('2026-11-24T11:00:00Z'), opensAt: null, closure: null },
      at,
    );
    expect(s).toBe('Le bus est là maintenant · repart à 12:00');
  });
  it('gives the next passage, or says there is none', () => {
    const next = describeStopOpening(
      { open: false, closesAt: null, opensAt: new Date('2026-11-26T08:00:00Z'), closure: null },
      at,
    );
    expect(next).toBe('Prochain passage du bus jeudi à 09:00');
    expect(describeStopOpening({ open: false, closesAt: null, opensAt: null, closure: null }, at)).toBe(
      'Aucun passage du bus prévu pour le moment',
    );
  });
});
