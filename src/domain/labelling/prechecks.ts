import { openDaysCount, type WeeklyHours, weeklyTotalHours } from '../directory/opening-hours.js';
import {
  isMobileFormat,
  PARTNER_LABELS,
  PARTNERS,
  type Partner,
  type StructureFormat,
} from '../directory/structure.js';

/**
 * Automatic pre-checks on a structure's own data (the criteria checked `automatic` in the référentiel).
 * A fact we do not have yields `unknown`, never a guess: the directory alone knows the hours and the
 * partners, while agents, référents and mobile calendars come from the application or the mobile module.
 */
export const MIN_WEEKLY_HOURS = 24;
export const MIN_OPEN_DAYS = 5;
export const MIN_AGENTS = 2;

export type PrecheckStatus = 'ok' | 'failed' | 'unknown';

export interface PrecheckResult {
  readonly code: string;
  readonly status: PrecheckStatus;
  readonly detail: string;
}

export interface DeclaredAgent {
  readonly name: string;
  /** YYYY-MM-DD of the France Services initial training; null when not trained yet. */
  readonly trainedOn: string | null;
}

export interface MobileFacts {
  /** Number of stops declared for the unit. */
  readonly stops: number;
  /** Number of dated passages in the published calendar (0: published but empty). */
  readonly calendarDates: number;
  readonly calendarPublished: boolean;
}

export interface PrecheckInput {
  readonly idFs: string;
  readonly format: StructureFormat;
  readonly hours: WeeklyHours;
  /** null: not known (a directory entry with no application). */
  readonly agents: readonly DeclaredAgent[] | null;
  readonly partners: readonly Partner[];
  /** Named référent per partner; null: not known. */
  readonly referents: Partial<Record<Partner, string | null>> | null;
  /** Facts from src/domain/mobile for a bus or itinérante; null: not known. */
  readonly mobile: MobileFacts | null;
}

export interface PrecheckReport {
  readonly idFs: string;
  readonly criteria: PrecheckResult[];
  readonly weeklyHours: number;
  readonly openDays: number;
}

const hoursText = (h: number) => {
  const whole = Math.floor(h);
  const minutes = Math.round((h - whole) * 60);
  return minutes === 0 ? `${whole} h` : `${whole} h ${String(minutes).padStart(2, '0')}`;
};

const TRAINING_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function precheck(input: PrecheckInput): PrecheckReport {
  const weeklyHours = Math.round(weeklyTotalHours(input.hours) * 100) / 100;
  const openDays = openDaysCount(input.hours);
  const criteria: PrecheckResult[] = [];

  criteria.push({
    code: 'OUV-01',
    status: weeklyHours >= MIN_WEEKLY_HOURS ? 'ok' : 'failed',
    detail: `${hoursText(weeklyHours)} d’ouverture par semaine (minimum ${MIN_WEEKLY_HOURS} h).`,
  });
  criteria.push({
    code: 'OUV-02',
    status: openDays >= MIN_OPEN_DAYS ? 'ok' : 'failed',
    detail: `Ouverte ${openDays} jour(s) par semaine (minimum ${MIN_OPEN_DAYS}).`,
  });

  if (input.agents === null) {
    criteria.push({ code: 'PER-01', status: 'unknown', detail: 'Agents non déclarés dans l’annuaire.' });
    criteria.push({ code: 'PER-02', status: 'unknown', detail: 'Dates de formation non déclarées.' });
  } else {
    const n = input.agents.length;
    criteria.push({
      code: 'PER-01',
      status: n >= MIN_AGENTS ? 'ok' : 'failed',
      detail: `${n} agent(s) déclaré(s) (minimum ${MIN_AGENTS}).`,
    });
    const trained = input.agents.filter((a) => a.trainedOn !== null && TRAINING_DATE.test(a.trainedOn));
    const untrained = input.agents.filter((a) => !trained.includes(a)).map((a) => a.name);
    criteria.push({
      code: 'PER-02',
      status: trained.length >= MIN_AGENTS && untrained.length === 0 ? 'ok' : 'failed',
      detail:
        untrained.length === 0
          ? `${trained.length} agent(s) formé(s), dates de formation déclarées.`
          : `Date de formation manquante pour : ${untrained.join(', ')}.`,
    });
  }

  const missingPartners = PARTNERS.filter((p) => !input.partners.includes(p));
  criteria.push({
    code: 'PAR-01',
    status: missingPartners.length === 0 ? 'ok' : 'failed',
    detail:
      missingPartners.length === 0
        ? `Les ${PARTNERS.length} partenaires nationaux sont proposés.`
        : `Partenaires nationaux absents : ${missingPartners.map((p) => PARTNER_LABELS[p]).join(', ')}.`,
  });
  if (input.referents === null) {
    criteria.push({ code: 'PAR-02', status: 'unknown', detail: 'Référents des partenaires non déclarés.' });
  } else {
    const referents = input.referents;
    const without = input.partners.filter((p) => !referents[p]?.trim());
    criteria.push({
      code: 'PAR-02',
      status: without.length === 0 && missingPartners.length === 0 ? 'ok' : 'failed',
      detail:
        without.length === 0
          ? missingPartners.length === 0
            ? 'Un référent est nommé pour chaque partenaire.'
            : 'Référents nommés pour les partenaires présents, mais des partenaires manquent.'
          : `Référent manquant pour : ${without.map((p) => PARTNER_LABELS[p]).join(', ')}.`,
    });
  }

  if (isMobileFormat(input.format)) {
    const m = input.mobile;
    if (m === null) {
      criteria.push({
        code: 'OUV-04',
        status: 'unknown',
        detail: 'Arrêts et calendrier de passage non renseignés.',
      });
    } else {
      const problems: string[] = [];
      if (m.stops === 0) problems.push('aucun point d’arrêt déclaré');
      if (!m.calendarPublished) problems.push('calendrier de passage non publié');
      else if (m.calendarDates === 0)
        problems.push('le calendrier publié ne contient aucune date de passage');
      criteria.push({
        code: 'OUV-04',
        status: problems.length === 0 ? 'ok' : 'failed',
        detail:
          problems.length === 0
            ? `${m.stops} arrêt(s), ${m.calendarDates} date(s) de passage publiée(s).`
            : `Itinérance : ${problems.join(' ; ')}.`,
      });
    }
  }
  return { idFs: input.idFs, criteria, weeklyHours, openDays };
}

export const failedChecks = (report: PrecheckReport) => report.criteria.filter((c) => c.status === 'failed');
