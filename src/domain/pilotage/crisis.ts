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

const share = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

export function crisisSeries(
  weeks: readonly string[],
  receiving: ReadonlyArray<{ semaine: string; id: string }>,
  activity: ReadonlyArray<{ semaine: string; structureId: string; n: number; nDistance: number }>,
): CrisisWeek[] {
  const open = new Map<string, Set<string>>();
  for (const r of receiving) {
    const set = open.get(r.semaine) ?? new Set<string>();
    set.add(r.id);
    open.set(r.semaine, set);
  }
  const act = new Map<string, Array<{ structureId: string; n: number; nDistance: number }>>();
  for (const a of activity) act.set(a.semaine, [...(act.get(a.semaine) ?? []), a]);
  return weeks.map((semaine) => {
    const o = open.get(semaine) ?? new Set<string>();
    const rows = (act.get(semaine) ?? []).filter((a) => a.n > 0);
    const actives = rows.filter((a) => o.has(a.structureId)).length;
    const n = rows.reduce((s, a) => s + a.n, 0);
    const d = rows.reduce((s, a) => s + a.nDistance, 0);
    return {
      semaine,
      structuresOuvertes: o.size,
      structuresActives: actives,
      partActives: share(actives, o.size),
      activesHorsOuvertes: rows.length - actives,
      accompagnements: n,
      aDistance: d,
      partDistance: share(d, n),
    };
  });
}
