import { mondayOf } from './rollup.js';

/**
 * Crisis indicators (issue 14, section 4), pure: per ISO week of the range (whole weeks, Monday to
 * Sunday, from the week of `from` to the week of `to`),
 * - the share of structures active: among the structures receiving the public at the end of the
 *   week (status `ouverte` or `accueil_a_distance`, as it stood then, created before then), those
 *   with at least one accompaniment recorded in the week. A structure that recorded while marked
 *   closed is not in the denominator and so not in the numerator either; it is counted apart
 *   (`activesHorsOuvertes`) so nothing is silently dropped;
 * - the share of accompaniments done remotely (telephone, courriel, visio).
 */
export interface CrisisWeek {
  readonly semaine: string;
  readonly structuresOuvertes: number;
  readonly structuresActives: number;
  readonly partActives: number | null;
  readonly activesHorsOuvertes: number;
  readonly accompagnements: number;
  readonly aDistance: number;
  readonly partDistance: number | null;
}

/** Mondays of the weeks touching [from, to], at most `max` of them. */
export function weeksOf(from: string, to: string, max = 270): string[] {
  const out: string[] = [];
  let t = Date.parse(`${mondayOf(from)}T00:00:00Z`);
  const end = Date.parse(`${mondayOf(to)}T00:00:00Z`);
  while (t <= end && out.length < max) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 7 * 86_400_000;
  }
  return out;
}

/** A structure's status history, as the directory keeps it (changes in time order). */
export interface StatusHistory {
  readonly id: string;
  readonly createdAt: Date;
  readonly status: string;
  readonly changes: ReadonlyArray<{ readonly at: Date; readonly from: string; readonly to: string }>;
}

const RECEIVING = new Set(['ouverte', 'accueil_a_distance']);

/** The status at an instant: the last change before it, else the first later change's origin, else today's. */
export function statusAt(h: StatusHistory, at: Date): string {
  let before: string | null = null;
  for (const c of h.changes) {
    if (c.at < at) before = c.to;
    else return before ?? c.from;
  }
  return before ?? h.status;
}

/**
 * The structures receiving the public at the end of each week (Sunday 24:00 UTC): created before,
 * status `ouverte` or `accueil_a_distance` then.
 */
export function receivingByWeek(weeks: readonly string[], histories: readonly StatusHistory[]) {
  const out: Array<{ semaine: string; id: string }> = [];
  for (const semaine of weeks) {
    const end = new Date(Date.parse(`${semaine}T00:00:00Z`) + 7 * 86_400_000);
    for (const h of histories)
      if (h.createdAt < end && RECEIVING.has(statusAt(h, end))) out.push({ semaine, id: h.id });
  }
  return out;
}

const share = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/** One week of a territory's activity: its totals and the structures that recorded at least one. */
export interface WeekActivity {
  readonly semaine: string;
  readonly activeIds: readonly string[];
  readonly n: number;
  readonly nDistance: number;
}

export function crisisSeries(
  weeks: readonly string[],
  receiving: ReadonlyArray<{ semaine: string; id: string }>,
  activity: readonly WeekActivity[],
): CrisisWeek[] {
  const open = new Map<string, Set<string>>();
  for (const r of receiving) {
    const set = open.get(r.semaine) ?? new Set<string>();
    set.add(r.id);
    open.set(r.semaine, set);
  }
  const byWeek = new Map(activity.map((a) => [a.semaine, a]));
  return weeks.map((semaine) => {
    const o = open.get(semaine) ?? new Set<string>();
    const a = byWeek.get(semaine);
    const ids = a?.activeIds ?? [];
    let actives = 0;
    for (const id of ids) if (o.has(id)) actives++;
    const n = a?.n ?? 0;
    const d = a?.nDistance ?? 0;
    return {
      semaine,
      structuresOuvertes: o.size,
      structuresActives: actives,
      partActives: share(actives, o.size),
      activesHorsOuvertes: ids.length - actives,
      accompagnements: n,
      aDistance: d,
      partDistance: share(d, n),
    };
  });
}
