import { invalid } from '../shared/errors.js';
import { type Day, dayOf, daysInMonth, weekday, ymd } from './days.js';

/**
 * The RFC 5545 RRULE subset a tour needs, parsed strictly (the `rrule` package accepts
 * `FREQ=FOO` or `BYDAY=XX` silently) and expanded on floating days. On the same rules and days,
 * it took 16 ms of CPU where `rrule` took 746 ms (about 45× less) (bench/mobile-occurrences.bench.ts, 2026-12-03,
 * docs/BENCHMARKS.md). The unit tests cross-check both.
 *
 * Supported: FREQ=WEEKLY|MONTHLY, INTERVAL, BYDAY (with ordinals such as 5TH or -1FR in MONTHLY),
 * BYMONTHDAY and BYSETPOS (MONTHLY), WKST. The period of validity comes from the tour entry's
 * `from`/`until`, so UNTIL and COUNT are refused to keep a single source of truth.
 */
export interface WeekdaySpec {
  readonly weekday: number; // 0 = MO … 6 = SU
  readonly n?: number; // ±1…±5 (MONTHLY only)
}

export interface Recurrence {
  readonly freq: 'WEEKLY' | 'MONTHLY';
  readonly interval: number;
  readonly byDay: readonly WeekdaySpec[];
  readonly byMonthDay: readonly number[];
  readonly bySetPos: readonly number[];
  readonly wkst: number;
}

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const BYDAY_ITEM = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const INTEGER = /^[+-]?\d{1,3}$/;

function intList(value: string, field: string, key: string, min: number, max: number): number[] {
  return value.split(',').map((s) => {
    const n = INTEGER.test(s) ? Number(s) : Number.NaN;
    if (!Number.isInteger(n) || n === 0 || Math.abs(n) < min || Math.abs(n) > max) {
      throw invalid(field, `${key} : « ${s} » doit être un entier non nul entre -${max} et ${max}.`);
    }
    return n;
  });
}

export function parseRecurrence(text: string, field = 'rrule'): Recurrence {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') throw invalid(field, 'La règle de récurrence est vide.');
  if (body.length > 500)
    throw invalid(field, 'La règle de récurrence est trop longue (500 caractères au plus).');
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      throw invalid(field, `Élément de règle mal formé : « ${part} » (attendu CLÉ=VALEUR).`);
    }
    const key = part.slice(0, eq).toUpperCase();
    if (parts.has(key)) throw invalid(field, `${key} apparaît deux fois dans la règle.`);
    parts.set(key, part.slice(eq + 1).toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq === undefined) throw invalid(field, 'FREQ est obligatoire (WEEKLY ou MONTHLY).');
  if (freq !== 'WEEKLY' && freq !== 'MONTHLY') {
    throw invalid(field, `FREQ=${freq} n’est pas pris en charge : utilisez WEEKLY ou MONTHLY.`);
  }
  for (const key of parts.keys()) {
    if (key === 'UNTIL' || key === 'COUNT') {
      throw invalid(field, `${key} n’est pas accepté : la période se donne avec « from » et « until ».`);
    }
    if (!['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYSETPOS', 'WKST'].includes(key)) {
      throw invalid(
        field,
        `${key} n’est pas pris en charge (FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS, WKST).`,
      );
    }
  }
  let interval = 1;
  const iv = parts.get('INTERVAL');
  if (iv !== undefined) {
    interval = /^\d{1,3}$/.test(iv) ? Number(iv) : 0;
    if (interval < 1 || interval > 99) throw invalid(field, `INTERVAL=${iv} : entier entre 1 et 99 attendu.`);
  }
  const byDay: WeekdaySpec[] = [];
  const bd = parts.get('BYDAY');
  if (bd !== undefined) {
    for (const item of bd.split(',')) {
      const m = BYDAY_ITEM.exec(item);
      if (!m)
        throw invalid(
          field,
          `BYDAY : « ${item} » n’est pas un jour (MO, TU, WE, TH, FR, SA, SU, ex. 2TU, -1FR).`,
        );
      const wd = WEEKDAY_CODES.indexOf(m[2] as (typeof WEEKDAY_CODES)[number]);
      if (m[1] === undefined) {
        byDay.push({ weekday: wd });
        continue;
      }
      const n = Number(m[1]);
      if (freq !== 'MONTHLY')
        throw invalid(field, `BYDAY=${item} : un rang (ex. 2TU) n’a de sens qu’avec FREQ=MONTHLY.`);
      if (n === 0 || Math.abs(n) > 5)
        throw invalid(field, `BYDAY=${item} : le rang doit être entre 1 et 5, ou -1 à -5.`);
      byDay.push({ weekday: wd, n });
    }
  }
  if (byDay.some((d) => d.n !== undefined) && byDay.some((d) => d.n === undefined)) {
    // RFC 5545 allows it, but rrule.js (hence node-ical and many subscribers) then yields no date at all.
    throw invalid(
      field,
      `BYDAY=${bd} mélange jours avec et sans rang : faites deux entrées (ex. BYDAY=WE et BYDAY=1SU).`,
    );
  }
  const byMonthDay = parts.has('BYMONTHDAY')
    ? intList(parts.get('BYMONTHDAY') ?? '', field, 'BYMONTHDAY', 1, 31)
    : [];
  if (byMonthDay.length > 0 && freq !== 'MONTHLY')
    throw invalid(field, 'BYMONTHDAY n’a de sens qu’avec FREQ=MONTHLY.');
  const bySetPos = parts.has('BYSETPOS')
    ? intList(parts.get('BYSETPOS') ?? '', field, 'BYSETPOS', 1, 31)
    : [];
  if (bySetPos.length > 0 && freq !== 'MONTHLY') {
    // Calendar apps disagree on the first week's set (python-dateutil and rrule.js cut it at DTSTART).
    throw invalid(field, 'BYSETPOS ne s’emploie qu’avec FREQ=MONTHLY (ex. dernier jour ouvré du mois).');
  }
  if (bySetPos.length > 0 && byDay.length === 0 && byMonthDay.length === 0) {
    throw invalid(field, 'BYSETPOS demande BYDAY ou BYMONTHDAY.');
  }
  let wkst = 0;
  const ws = parts.get('WKST');
  if (ws !== undefined) {
    wkst = WEEKDAY_CODES.indexOf(ws as (typeof WEEKDAY_CODES)[number]);
    if (wkst < 0) throw invalid(field, `WKST=${ws} n’est pas un jour.`);
  }
  return Object.freeze({ freq, interval, byDay, byMonthDay, bySetPos, wkst });
}

/** The canonical RRULE text (without UNTIL), as published in the feeds. */
export function formatRecurrence(r: Recurrence): string {
  const out = [`FREQ=${r.freq}`];
  if (r.interval !== 1) out.push(`INTERVAL=${r.interval}`);
  if (r.byDay.length > 0)
    out.push(`BYDAY=${r.byDay.map((d) => `${d.n ?? ''}${WEEKDAY_CODES[d.weekday]}`).join(',')}`);
  if (r.byMonthDay.length > 0) out.push(`BYMONTHDAY=${r.byMonthDay.join(',')}`);
  if (r.bySetPos.length > 0) out.push(`BYSETPOS=${r.bySetPos.join(',')}`);
  if (r.wkst !== 0) out.push(`WKST=${WEEKDAY_CODES[r.wkst]}`);
  return out.join(';');
}

function applySetPos(set: Day[], pos: readonly number[]): Day[] {
  if (pos.length === 0) return set;
  const picked = new Set<Day>();
  for (const p of pos) {
    const d = p > 0 ? set[p - 1] : set[set.length + p];
    if (d !== undefined) picked.add(d);
  }
  return [...picked].sort((a, b) => a - b);
}

function monthSet(r: Recurrence, y: number, m: number, startDom: number): Day[] {
  const dim = daysInMonth(y, m);
  const first = dayOf(y, m, 1);
  const last = first + dim - 1;
  let set: Day[] = [];
  const matchesByDay = (d: Day) =>
    r.byDay.some((s) => {
      if (s.weekday !== weekday(d)) return false;
      if (s.n === undefined) return true;
      const dom = d - first + 1;
      return s.n > 0 ? Math.ceil(dom / 7) === s.n : Math.ceil((dim - dom + 1) / 7) === -s.n;
    });
  if (r.byMonthDay.length > 0) {
    for (const v of r.byMonthDay) {
      const dom = v > 0 ? v : dim + 1 + v;
      if (dom >= 1 && dom <= dim) set.push(first + dom - 1);
    }
    if (r.byDay.length > 0) set = set.filter(matchesByDay);
  } else if (r.byDay.length > 0) {
    for (const s of r.byDay) {
      const firstWd = first + ((s.weekday - weekday(first) + 7) % 7);
      if (s.n === undefined) {
        for (let d = firstWd; d <= last; d += 7) set.push(d);
      } else if (s.n > 0) {
        const d = firstWd + 7 * (s.n - 1);
        if (d <= last) set.push(d);
      } else {
        const lastWd = last - ((weekday(last) - s.weekday + 7) % 7);
        const d = lastWd + 7 * (s.n + 1);
        if (d >= first) set.push(d);
      }
    }
  } else if (startDom <= dim) {
    set.push(first + startDom - 1);
  }
  set = [...new Set(set)].sort((a, b) => a - b);
  return applySetPos(set, r.bySetPos);
}

/** Every day the rule produces from `start` (the DTSTART) to `until`, both inclusive, sorted. */
export function expandRecurrence(r: Recurrence, start: Day, until: Day): Day[] {
  const out: Day[] = [];
  if (until < start) return out;
  if (r.freq === 'WEEKLY') {
    // BYSETPOS is refused with WEEKLY (see parseRecurrence), so a week's set is just its days.
    const offsets = [
      ...new Set(
        (r.byDay.length > 0 ? r.byDay.map((s) => s.weekday) : [weekday(start)]).map(
          (wd) => (wd - r.wkst + 7) % 7,
        ),
      ),
    ].sort((a, b) => a - b);
    const week0 = start - ((weekday(start) - r.wkst + 7) % 7);
    for (let ws = week0; ws <= until; ws += 7 * r.interval) {
      for (const o of offsets) {
        const d = ws + o;
        if (d >= start && d <= until) out.push(d);
      }
    }
    return out;
  }
  const s = ymd(start);
  let y = s.y;
  let m = s.m;
  for (;;) {
    if (dayOf(y, m, 1) > until) break;
    for (const d of monthSet(r, y, m, s.d)) if (d >= start && d <= until) out.push(d);
    m += r.interval;
    while (m > 12) {
      m -= 12;
      y += 1;
    }
  }
  return out;
}
