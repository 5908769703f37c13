import { type Static, Type } from '@fastify/type-provider-typebox';
import { WEEKDAYS } from '../../domain/directory/opening-hours.js';
import { PARTNERS } from '../../domain/directory/structure.js';
import { optionalText } from './fields.js';

/**
 * The labellisation forms (pages under /espace/labellisation): their TypeBox schemas, which bound
 * every field, and the mapping from the flat form fields to what the services take.
 * Every field is optional: a missing one is the empty answer, as a browser sends it.
 */

/** Forms that carry nothing but the CSRF token (close a campaign, end an audit). */
export const EmptyForm = Type.Object({});

export const ReferentielForm = Type.Object({
  version: optionalText(20),
  title: optionalText(300),
  source: optionalText(1000),
  criteria: optionalText(200_000),
});

export const CampaignForm = Type.Object({
  name: optionalText(300),
  opensOn: optionalText(10),
  closesOn: optionalText(10),
  departements: optionalText(2000),
  referentielVersion: optionalText(40),
});

/** A new application: the department of one of the caller's structures, or the structure it renews (its uuid). */
export const NewApplicationForm = Type.Object({
  departement: optionalText(5),
  renouvellement: optionalText(64),
});

/** At most this many agents on the application form. */
export const MAX_AGENTS = 20;

export const ApplicationForm = Type.Object({
  version: optionalText(12),
  porteurKind: optionalText(40),
  porteurName: optionalText(400),
  structureName: optionalText(400),
  format: optionalText(40),
  address: optionalText(400),
  codeInsee: optionalText(10),
  postalCode: optionalText(10),
  communeName: optionalText(200),
  lat: optionalText(30),
  lon: optionalText(30),
  email: optionalText(300),
  telephone: optionalText(30),
  mobile_stops: optionalText(10),
  mobile_dates: optionalText(10),
  mobile_published: optionalText(5),
  ...Object.fromEntries(WEEKDAYS.map((d) => [`hours_${d}`, optionalText(200)])),
  ...Object.fromEntries(
    Array.from({ length: MAX_AGENTS }, (_, i) => [
      [`agent_name_${i}`, optionalText(200)],
      [`agent_trained_${i}`, optionalText(20)],
    ]).flat(),
  ),
  ...Object.fromEntries(PARTNERS.map((p) => [`referent_${p}`, optionalText(200)])),
  ...Object.fromEntries(PARTNERS.map((p) => [`partner_${p}`, optionalText(5)])),
});
/** The named fields plus the per-day, per-agent and per-partner ones, all strings. */
export type ApplicationFormBody = Partial<Record<string, string>>;

export const TransitionForm = Type.Object({
  action: optionalText(40),
  version: optionalText(12),
  reason: optionalText(2000),
  auditorUserId: optionalText(64),
  auditDate: optionalText(10),
});

/** The audit grid: `verdict_<code>` and `comment_<code>` for each criterion, and the grid version. */
export const GridForm = Type.Object(
  { version: optionalText(12) },
  {
    patternProperties: {
      '^verdict_[A-Za-z0-9-]{1,20}$': Type.String({ maxLength: 40 }),
      '^comment_[A-Za-z0-9-]{1,20}$': Type.String({ maxLength: 5000 }),
    },
  },
);
export type GridFormBody = Static<typeof GridForm> & Partial<Record<string, string>>;

export const PeriodicAuditForm = Type.Object({
  auditorUserId: optionalText(64),
  plannedOn: optionalText(10),
});

/** An optional version number as typed ('' or absent: none). */
export const versionOf = (typed: string | undefined): number | undefined =>
  typed ? Number(typed) : undefined;

/** The application form's flat fields, to the nested content the domain parses. */
export function contentFromForm(b: ApplicationFormBody): Record<string, unknown> {
  const hours: Record<string, string> = {};
  for (const d of WEEKDAYS) hours[d] = b[`hours_${d}`] ?? '';
  const agents = [];
  for (let i = 0; i < MAX_AGENTS; i++) {
    if (!(`agent_name_${i}` in b)) continue;
    agents.push({ name: b[`agent_name_${i}`] ?? '', trainedOn: b[`agent_trained_${i}`] ?? '' });
  }
  const referents: Record<string, string> = {};
  for (const p of PARTNERS) referents[p] = b[`referent_${p}`] ?? '';
  const stops = b.mobile_stops ?? '';
  const dates = b.mobile_dates ?? '';
  const published = b.mobile_published === '1';
  return {
    porteurKind: b.porteurKind || null,
    porteurName: b.porteurName ?? '',
    structureName: b.structureName ?? '',
    format: b.format || 'fixe',
    address: b.address ?? '',
    codeInsee: b.codeInsee ?? '',
    postalCode: b.postalCode ?? '',
    communeName: b.communeName ?? '',
    lat: b.lat ?? '',
    lon: b.lon ?? '',
    email: b.email ?? '',
    telephone: b.telephone ?? '',
    hours,
    agents,
    partners: PARTNERS.filter((p) => b[`partner_${p}`] === '1'),
    referents,
    mobile:
      stops || dates || published ? { stops, calendarDates: dates, calendarPublished: published } : null,
  };
}

/** What the porteur typed, for re-display after a refusal (strings only, as typed). */
export function safeTyped(b: ApplicationFormBody): Record<string, unknown> {
  const c = contentFromForm(b);
  return {
    ...c,
    lat: null,
    lon: null,
    agents: (c.agents as { name: string; trainedOn: string }[]).map((a) => ({
      name: a.name,
      trainedOn: a.trainedOn || null,
    })),
    mobile: null,
  };
}

/** The grid fields sent, as changes; a field left out keeps its saved value (a radio cannot be unchecked; the island may send a part). */
export function gridChanges(
  entries: readonly { code: string; verdict: string | null; comment: string | null }[],
  b: GridFormBody,
) {
  return entries
    .filter((e) => `verdict_${e.code}` in b || `comment_${e.code}` in b)
    .map((e) => ({
      code: e.code,
      verdict: `verdict_${e.code}` in b ? b[`verdict_${e.code}`] || null : e.verdict,
      comment: `comment_${e.code}` in b ? (b[`comment_${e.code}`] ?? '') : e.comment,
    }));
}

/** The campaign's departments as typed: codes separated by spaces, commas or semicolons. */
export const departementsOf = (typed: string | undefined): string[] =>
  (typed ?? '').split(/[\s,;]+/).filter(Boolean);
