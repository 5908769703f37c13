import { WEEKDAYS, type Weekday, type WeeklyHours, weeklyHoursFromText } from '../directory/opening-hours.js';
import { PARTNERS, type Partner, STRUCTURE_FORMATS, type StructureFormat } from '../directory/structure.js';
import { invalid } from '../shared/errors.js';
import { isCodeInsee } from '../shared/insee.js';
import type { DeclaredAgent, MobileFacts, PrecheckInput } from './prechecks.js';
import type { ReferentielData } from './referentiel.js';

/** What a porteur fills in: the structure, its agents, its partners and référents, and documents. */
export const PORTEUR_KINDS = [
  'commune',
  'epci',
  'la_poste',
  'association',
  'sous_prefecture',
  'msa',
] as const;
export type PorteurKind = (typeof PORTEUR_KINDS)[number];
export const PORTEUR_LABELS: Record<PorteurKind, string> = {
  commune: 'Commune',
  epci: 'EPCI (intercommunalité)',
  la_poste: 'La Poste',
  association: 'Association',
  sous_prefecture: 'Sous-préfecture',
  msa: 'MSA',
};

export interface ApplicationContent {
  readonly porteurKind: PorteurKind | null;
  readonly porteurName: string;
  readonly structureName: string;
  readonly format: StructureFormat;
  /**
   * An official id_fs typed in drafts saved before the security review. Never read: it selects no structure
   * (finding 2, issue 9). Renewing an existing structure is the application's `renewsStructureId`, chosen at
   * creation among the structures the porteur may file for.
   */
  readonly idFs: string | null;
  readonly address: string;
  readonly codeInsee: string;
  readonly postalCode: string;
  readonly communeName: string;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly email: string;
  readonly telephone: string;
  /** One line per day in the official format, `09:00 - 12:00 / 13:30 - 17:00`. */
  readonly hours: Partial<Record<Weekday, string>>;
  readonly agents: readonly DeclaredAgent[];
  readonly partners: readonly Partner[];
  readonly referents: Partial<Record<Partner, string>>;
  /** For buses: facts read from the mobile module, or declared. */
  readonly mobile: MobileFacts | null;
}

export const emptyContent = (): ApplicationContent => ({
  porteurKind: null,
  porteurName: '',
  structureName: '',
  format: 'fixe',
  idFs: null,
  address: '',
  codeInsee: '',
  postalCode: '',
  communeName: '',
  lat: null,
  lon: null,
  email: '',
  telephone: '',
  hours: {},
  agents: [],
  partners: [],
  referents: {},
  mobile: null,
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9 +().-]{10,20}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TEXT = 300;

const text = (v: unknown, field: string, max = MAX_TEXT): string => {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalid(field, 'Texte attendu.');
  const t = v.trim();
  if (t.length > max) throw invalid(field, `${max} caractères au plus.`);
  return t;
};

/**
 * Normalises a saved draft: types and lengths are checked, but a draft may be incomplete
 * (`missingForFiling` says what is missing). Hours must be readable when given.
 */
export function parseContent(raw: Partial<Record<keyof ApplicationContent, unknown>>): ApplicationContent {
  const porteurKind = raw.porteurKind ? String(raw.porteurKind) : null;
  if (porteurKind !== null && !(PORTEUR_KINDS as readonly string[]).includes(porteurKind)) {
    throw invalid('porteurKind', `Type de porteur « ${porteurKind} » inconnu.`);
  }
  const format = String(raw.format ?? 'fixe');
  if (!(STRUCTURE_FORMATS as readonly string[]).includes(format))
    throw invalid('format', `Format « ${format} » inconnu.`);
  const hoursRaw = (raw.hours ?? {}) as Record<string, unknown>;
  const hours: Partial<Record<Weekday, string>> = {};
  for (const day of WEEKDAYS) {
    const v = text(hoursRaw[day], `horaires.${day}`, 100);
    if (v) hours[day] = v;
  }
  weeklyHoursFromText(hours); // throws a named error on unreadable hours
  const agents = ((raw.agents ?? []) as unknown[])
    .slice(0, 50)
    .map((a, i) => {
      const o = (a ?? {}) as Record<string, unknown>;
      const name = text(o.name, `agents[${i}].nom`, 120);
      const trainedOn = text(o.trainedOn, `agents[${i}].formation`, 10) || null;
      if (trainedOn !== null && !DATE.test(trainedOn))
        throw invalid(`agents[${i}].formation`, 'Date de formation invalide (AAAA-MM-JJ).');
      return { name, trainedOn };
    })
    .filter((a) => a.name !== '');
  const partners = [...new Set((raw.partners ?? []) as unknown[])].map(String);
  for (const p of partners)
    if (!(PARTNERS as readonly string[]).includes(p))
      throw invalid('partners', `Partenaire « ${p} » inconnu.`);
  const referentsRaw = (raw.referents ?? {}) as Record<string, unknown>;
  const referents: Partial<Record<Partner, string>> = {};
  for (const p of PARTNERS) {
    const v = text(referentsRaw[p], `referents.${p}`, 120);
    if (v) referents[p] = v;
  }
  const num = (v: unknown, field: string, min: number, max: number) => {
    if (v === undefined || v === null || v === '') return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw invalid(field, 'Coordonnée invalide.');
    return n;
  };
  const mobileRaw = raw.mobile as Record<string, unknown> | null | undefined;
  const mobile: MobileFacts | null = mobileRaw
    ? {
        stops: Math.max(0, Math.trunc(Number(mobileRaw.stops) || 0)),
        calendarDates: Math.max(0, Math.trunc(Number(mobileRaw.calendarDates) || 0)),
        calendarPublished: Boolean(mobileRaw.calendarPublished),
      }
    : null;
  return {
    porteurKind: porteurKind as PorteurKind | null,
    porteurName: text(raw.porteurName, 'porteurName'),
    structureName: text(raw.structureName, 'structureName'),
    format: format as StructureFormat,
    idFs: text(raw.idFs, 'idFs', 40) || null,
    address: text(raw.address, 'address'),
    codeInsee: text(raw.codeInsee, 'codeInsee', 5).toUpperCase(),
    postalCode: text(raw.postalCode, 'postalCode', 5),
    communeName: text(raw.communeName, 'communeName', 120),
    lat: num(raw.lat, 'lat', -90, 90),
    lon: num(raw.lon, 'lon', -180, 180),
    email: text(raw.email, 'email', 200),
    telephone: text(raw.telephone, 'telephone', 20),
    hours,
    agents,
    partners: partners as Partner[],
    referents,
    mobile,
  };
}

export const contentHours = (c: ApplicationContent): WeeklyHours => weeklyHoursFromText(c.hours).hours;

export function precheckInputOf(c: ApplicationContent, idFs: string): PrecheckInput {
  return {
    idFs,
    format: c.format,
    hours: contentHours(c),
    agents: c.agents,
    partners: c.partners,
    referents: c.referents,
    mobile: c.mobile,
  };
}

/**
 * What still prevents filing, in French: the porteur's follow-up page lists these, and `deposer`
 * refuses while any remains. Automatic criteria are not blocking here (the department judges
 * admissibility); the data and the documents of mandatory `document` criteria are.
 */
export function missingForFiling(
  c: ApplicationContent,
  ref: Pick<ReferentielData, 'criteria'>,
  documentCodes: readonly string[],
): string[] {
  const missing: string[] = [];
  if (!c.porteurKind) missing.push('le type de porteur');
  if (!c.porteurName) missing.push('le nom du porteur');
  if (!c.structureName) missing.push('le nom de la structure');
  if (!c.address) missing.push('l’adresse');
  if (!isCodeInsee(c.codeInsee)) missing.push('le code INSEE de la commune');
  if (!/^\d{5}$/.test(c.postalCode)) missing.push('le code postal');
  if (!c.communeName) missing.push('le nom de la commune');
  if (c.lat === null || c.lon === null) missing.push('la position (latitude et longitude)');
  if (!EMAIL.test(c.email)) missing.push('une adresse électronique valide');
  if (!PHONE.test(c.telephone)) missing.push('un numéro de téléphone valide');
  if (Object.keys(c.hours).length === 0) missing.push('les horaires d’ouverture');
  if (c.agents.length === 0) missing.push('les agents');
  if (c.partners.length === 0) missing.push('les partenaires');
  for (const crit of ref.criteria) {
    if (crit.check === 'document' && crit.mandatory && !documentCodes.includes(crit.code)) {
      missing.push(`la pièce justificative ${crit.code} (${crit.title})`);
    }
  }
  return missing;
}
