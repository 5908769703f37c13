import {
  CLOSED_WEEK,
  type WeeklyHours,
  weeklyHoursFromText,
} from '../../src/domain/directory/opening-hours.js';
import { PARTNERS } from '../../src/domain/directory/structure.js';
import type { StructureInput } from '../../src/domain/directory/transfer/index.js';

const WEEKDAY_HOURS = '09:00 - 12:00 / 13:30 - 17:00';

export const weekdaysHours = (text = WEEKDAY_HOURS): WeeklyHours =>
  weeklyHoursFromText({ lundi: text, mardi: text, mercredi: text, jeudi: text, vendredi: text }).hours;

let seq = 0;
/** A structure as an import would bring it, with sensible defaults (Guise, Aisne, open weekdays). */
export function aStructure(overrides: Partial<StructureInput> = {}): StructureInput {
  seq += 1;
  return {
    idFs: `T${seq}`,
    name: `France services de test ${seq}`,
    type: 'principal',
    format: 'fixe',
    group: null,
    address: '1 place Lesur',
    addressComplement: null,
    codeInsee: '02361',
    postalCode: '02120',
    communeName: 'Guise',
    departement: '02',
    lat: 49.9,
    lon: 3.627,
    emails: ['guise@france-services.gouv.fr'],
    telephones: ['03 23 00 00 00'],
    hours: weekdaysHours(),
    appointment: false,
    comment: null,
    partners: [...PARTNERS],
    labelledOn: '2020-01-01',
    source: 'test',
    ...overrides,
  };
}

export const closedWeek = CLOSED_WEEK;

/** The official header, for hand-written CSV fixtures. */
export const OFFICIAL_HEADER =
  'id_fs,insee_dep,lib_fs,adresse,complement_adresse,insee_com,code_postal,lib_com,latitude,longitude,mail,telephone,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,h_samedi,prise_rdv,commentaire,type_fs,format_fs,groupe_fs,labellisation_fs';

export function officialRow(fields: Partial<Record<string, string>> = {}, separator = ','): string {
  const base: Record<string, string> = {
    id_fs: '1',
    insee_dep: '02',
    lib_fs: 'France services de Guise',
    adresse: '1 place Lesur',
    complement_adresse: '',
    insee_com: '02361',
    code_postal: '02120',
    lib_com: 'Guise',
    latitude: '49.9',
    longitude: '3.627',
    mail: 'guise@example.fr',
    telephone: '03 23 00 00 00',
    h_lundi: '09:00 - 12:00 / 13:30 - 17:00',
    h_mardi: '09:00 - 12:00 / 13:30 - 17:00',
    h_mercredi: '09:00 - 12:00',
    h_jeudi: '09:00 - 12:00 / 13:30 - 17:00',
    h_vendredi: '09:00 - 12:00 / 13:30 - 16:00',
    h_samedi: '',
    prise_rdv: 'Non',
    commentaire: '',
    type_fs: 'Principal',
    format_fs: 'Fixe',
    groupe_fs: '',
    labellisation_fs: 'Espace labellisé 01/02/2020',
    ...fields,
  } as Record<string, string>;
  return OFFICIAL_HEADER.split(',')
    .map((c) => {
      const v = base[c] ?? '';
      return v.includes('"') || v.includes('\n') || v.includes(separator) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(separator);
}
