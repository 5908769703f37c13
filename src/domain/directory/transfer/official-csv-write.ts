/**
 * Writing structures back in the official « Liste des structures France services » format:
 * UTF-8 without BOM, comma-separated, the 24 official columns, strings quoted, numbers bare,
 * empty values left empty, `\n` line endings, as in the data.gouv.fr file.
 * Lossy by design where the official format has no column: Sunday hours, partners, status, description.
 */
import { writeCsv } from '../../shared/csv.js';
import { formatDayHours } from '../opening-hours.js';
import {
  FORMAT_TO_OFFICIAL,
  hoursColumn,
  LIST_SEPARATOR,
  OFFICIAL_COLUMNS,
  OFFICIAL_DAYS,
  type OfficialColumn,
  type StructureLike,
  TYPE_TO_OFFICIAL,
} from './official-csv.js';

export function writeOfficialCsv(structures: readonly StructureLike[]): string {
  // The one writer (finding 10): a comment such as `=HYPERLINK(…)` comes out neutralised.
  const rows = structures.map((s) => {
    const row = toOfficialRow(s);
    return OFFICIAL_COLUMNS.map((c) => row[c]);
  });
  return writeCsv([OFFICIAL_COLUMNS, ...rows], { quoteText: true });
}

/** One structure as the official columns' values (null = empty cell). */
export function toOfficialRow(s: StructureLike): Record<OfficialColumn, string | number | null> {
  const hours = Object.fromEntries(
    OFFICIAL_DAYS.map((d) => {
      const ranges = s.hours.days[d];
      return [hoursColumn(d), ranges.length === 0 ? null : formatDayHours(ranges)];
    }),
  ) as Record<`h_${(typeof OFFICIAL_DAYS)[number]}`, string | null>;
  return {
    id_fs: s.idFs,
    insee_dep: s.departement,
    lib_fs: s.name,
    adresse: s.address,
    complement_adresse: s.addressComplement,
    insee_com: s.codeInsee,
    code_postal: s.postalCode,
    lib_com: s.communeName,
    latitude: s.lat,
    longitude: s.lon,
    // Several values are joined as the official file writes them (« a@x.fr - b@x.fr »).
    mail: s.emails.length ? s.emails.join(LIST_SEPARATOR) : null,
    telephone: s.telephones.length ? s.telephones.join(LIST_SEPARATOR) : null,
    ...hours,
    prise_rdv: s.appointment ? 'Oui' : 'Non',
    commentaire: s.comment,
    type_fs: TYPE_TO_OFFICIAL[s.type],
    format_fs: FORMAT_TO_OFFICIAL[s.format],
    groupe_fs: s.group,
    labellisation_fs: s.labelledOn ? `Espace labellisé ${frenchDate(s.labelledOn)}` : null,
  };
}

const frenchDate = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
};
