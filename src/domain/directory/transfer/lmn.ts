/**
 * Structures as « lieux de médiation numérique » (schéma national, ANCT), built with the ANCT's own
 * library: each field goes through its smart constructor, then `toSchemaLieuMediationNumerique` gives
 * the flat schema row. A structure whose mandatory fields the library refuses is reported, not thrown.
 */
import {
  Adresse,
  Contact,
  Courriel,
  DispositifProgrammeNational,
  DispositifProgrammesNationaux,
  Id,
  Itinerance,
  Itinerances,
  type LieuMediationNumerique,
  Localisation,
  ModaliteAcces,
  ModalitesAcces,
  Nom,
  Pivot,
  type SchemaLieuMediationNumerique,
  Service,
  Services,
  Typologie,
  Typologies,
  toSchemaLieuMediationNumerique,
} from '@gouvfr-anct/lieux-de-mediation-numerique';
import type { WeeklyHours } from '../opening-hours.js';
import { isMobileFormat } from '../structure.js';
import type { StructureLike } from './official-csv.js';

/**
 * The schema's `pivot` is a SIRET or an RNA number; the official France services file gives neither.
 * The schema's documented placeholder for an unknown SIRET is fourteen zeros.
 */
const UNKNOWN_SIRET = '00000000000000';

export interface LmnIssue {
  idFs: string;
  message: string;
}

export interface LmnExport {
  lieux: SchemaLieuMediationNumerique[];
  /** Structures left out: the library refused a mandatory field, or the structure is closed for good. */
  errors: LmnIssue[];
  /** Optional fields the library refused (phone, email): the lieu is published without them. */
  warnings: LmnIssue[];
}

export interface LmnOptions {
  /** `date_maj` for structures that carry no `updatedAt` (e.g. straight from the CSV). */
  dateMaj?: Date;
}

export function toLieuxMediationNumerique(
  structures: readonly StructureLike[],
  options: LmnOptions = {},
): LmnExport {
  const lieux: SchemaLieuMediationNumerique[] = [];
  const errors: LmnIssue[] = [];
  const warnings: LmnIssue[] = [];
  for (const s of structures) {
    if (s.status === 'fermee_definitivement') {
      errors.push({ idFs: s.idFs, message: 'Structure fermée définitivement : non publiée.' });
      continue;
    }
    const dateMaj = s.updatedAt ?? options.dateMaj;
    if (dateMaj === undefined) {
      errors.push({ idFs: s.idFs, message: 'Date de mise à jour inconnue (date_maj est obligatoire).' });
      continue;
    }
    try {
      const lieu: LieuMediationNumerique = {
        id: Id(`france-services-${s.idFs}`),
        pivot: Pivot(UNKNOWN_SIRET),
        nom: Nom(s.name),
        adresse: Adresse({
          voie: s.address,
          code_postal: s.postalCode,
          code_insee: s.codeInsee,
          commune: s.communeName,
          ...(s.addressComplement ? { complement_adresse: s.addressComplement } : {}),
        }),
        date_maj: dateMaj,
        source: s.source,
        typologies: Typologies([Typologie.RFS]),
        services: Services([Service.AideAuxDemarchesAdministratives]),
        dispositif_programmes_nationaux: DispositifProgrammesNationaux([
          DispositifProgrammeNational.FranceServices,
        ]),
        itinerance: Itinerances([isMobileFormat(s.format) ? Itinerance.Itinerant : Itinerance.Fixe]),
        modalites_acces: ModalitesAcces([
          ModaliteAcces.SePresenter,
          ...(s.telephones.length ? [ModaliteAcces.Telephoner] : []),
          ...(s.emails.length ? [ModaliteAcces.ContacterParMail] : []),
        ]),
      };
      if (s.lat !== null && s.lon !== null)
        lieu.localisation = Localisation({ latitude: s.lat, longitude: s.lon });
      const contact = buildContact(s, warnings);
      if (contact) lieu.contact = contact;
      const horaires = toOsmOpeningHours(s.hours);
      if (horaires) lieu.horaires = horaires;
      if (s.comment) lieu.presentation = { detail: s.comment };
      lieux.push(toSchemaLieuMediationNumerique(lieu));
    } catch (e) {
      errors.push({ idFs: s.idFs, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { lieux, errors, warnings };
}

function buildContact(s: StructureLike, warnings: LmnIssue[]): Contact | undefined {
  let courriels: Courriel[] | undefined;
  if (s.emails.length) {
    try {
      courriels = s.emails.map((e) => Courriel(e));
    } catch (e) {
      warnings.push({ idFs: s.idFs, message: `Courriel refusé par le schéma : ${(e as Error).message}` });
    }
  }
  let telephone: string | undefined;
  // The schema has one number: the first published one.
  const firstPhone = s.telephones[0];
  if (firstPhone) {
    try {
      telephone = Contact({ telephone: firstPhone }).telephone;
    } catch (e) {
      warnings.push({ idFs: s.idFs, message: `Téléphone refusé par le schéma : ${(e as Error).message}` });
    }
  }
  if (!courriels && !telephone) return undefined;
  return Contact({ ...(telephone ? { telephone } : {}), ...(courriels ? { courriels } : {}) });
}

const OSM_DAYS = [
  ['lundi', 'Mo'],
  ['mardi', 'Tu'],
  ['mercredi', 'We'],
  ['jeudi', 'Th'],
  ['vendredi', 'Fr'],
  ['samedi', 'Sa'],
  ['dimanche', 'Su'],
] as const;

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * OpenStreetMap `opening_hours` (the schema's `horaires`): `Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00`.
 * Consecutive days with the same ranges are grouped; closed days are left out. Null when never open.
 */
export function toOsmOpeningHours(hours: WeeklyHours): string | null {
  const perDay = OSM_DAYS.map(([day, osm]) => ({
    osm,
    text: hours.days[day].map((r) => `${hhmm(r.start)}-${hhmm(r.end)}`).join(','),
  }));
  const rules: string[] = [];
  for (let i = 0; i < perDay.length; ) {
    const first = perDay[i];
    if (!first || first.text === '') {
      i++;
      continue;
    }
    let j = i;
    while (perDay[j + 1]?.text === first.text) j++;
    const last = perDay[j];
    const days =
      j === i || !last ? first.osm : j === i + 1 ? `${first.osm},${last.osm}` : `${first.osm}-${last.osm}`;
    rules.push(`${days} ${first.text}`);
    i = j + 1;
  }
  return rules.length === 0 ? null : rules.join('; ');
}
