/**
 * Benchmark: one year of occurrences for 160 buses × 10 stops (issue 5, target ≤ 200 ms on one core).
 *
 *   npx tsx bench/mobile-occurrences.bench.ts [--write]     (or npm run bench:mobile -- --write)
 *
 * With --write, the section between <!-- bench:mobile --> markers of docs/BENCHMARKS.md is replaced
 * (and only it: other benchmarks own the other sections).
 *
 * Buses sit where the real mobile France Services are (../shared/data/france-services-2024-08.csv,
 * formats Bus_équivalent and Itinérante, first 160 rows); without that file, seeded positions.
 * Stops, rules and exceptions come from a seeded PRNG, so runs are comparable.
 * Baseline, measured in the same run: a plain loop making the same number of Paris wall-clock
 * instants with luxon (DateTime.fromObject in Europe/Paris), i.e. the naive per-occurrence
 * conversion; and, for reference, expanding the same rules with the `rrule` package.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import {
  expandOccurrences,
  expandRecurrence,
  parseDay,
  parseMobileDocument,
  parseRecurrence,
} from '../src/domain/mobile/index.js';
import { seeded, writeSection } from './report.js';

const { RRule } = rrulePkg;
const CSV = new URL('../../shared/data/france-services-2024-08.csv', import.meta.url);
const BUSES = 160;
const STOPS = 10;
const RUNS = 15;

const rand = seeded(20_260_101);

interface Base {
  id: string;
  commune: string;
  lat: number;
  lon: number;
}
function bases(): { list: Base[]; source: string } {
  if (existsSync(CSV)) {
    const rows = parse(readFileSync(CSV), { columns: true, bom: true }) as Record<string, string>[];
    const list = rows
      .filter((r) => r.format_fs === 'Bus_équivalent' || r.format_fs === 'Itinérante')
      .map((r) => ({
        id: r.id_fs ?? '',
        commune: r.insee_com ?? '',
        lat: Number(r.latitude),
        lon: Number(r.longitude),
      }))
      .filter(
        (b) => Number.isFinite(b.lat) && Number.isFinite(b.lon) && /^(\d{2}|2[AB])\d{3}$/.test(b.commune),
      )
      .filter((b) => b.lat > 41 && b.lat < 51.2 && b.lon > -5.3 && b.lon < 9.7)
      .slice(0, BUSES);
    while (list.length < BUSES)
      list.push({ ...(list[list.length % Math.max(1, list.length)] as Base), id: `x${list.length}` });
    return { list, source: 'real mobile France Services positions' };
  }
  return {
    list: Array.from({ length: BUSES }, (_, i) => ({
      id: `s${i}`,
      commune: '02361',
      lat: 43 + rand() * 7,
      lon: -1 + rand() * 7,
    })),
    source: 'seeded positions',
  };
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];
function makeDocument(list: Base[]) {
  const doc = {
    units: [] as object[],
    stops: [] as object[],
    entries: [] as object[],
    exceptions: [] as object[],
  };
  list.forEach((b, u) => {
    const unit = `bus-${u}`;
    doc.units.push({ id: unit, structure: b.id, name: `Bus ${u}`, depot: { lat: b.lat, lon: b.lon } });
    for (let k = 0; k < STOPS; k++) {
      const stop = `${unit}-s${k}`;
      doc.stops.push({
        id: stop,
        unit,
        name: `Arrêt ${k}`,
        kind: 'place',
        commune: b.commune,
        address: 'Place de la mairie',
        lat: b.lat + (rand() - 0.5) * 0.3,
        lon: b.lon + (rand() - 0.5) * 0.4,
      });
      const day = DAYS[k % 5] as string;
      const morning = k < 5;
      const kind = rand();
      const rrule =
        kind < 0.6
          ? `FREQ=WEEKLY;BYDAY=${day}`
          : kind < 0.8
            ? `FREQ=WEEKLY;INTERVAL=2;BYDAY=${day}`
            : kind < 0.9
              ? `FREQ=MONTHLY;BYDAY=1${day},3${day}`
              : `FREQ=MONTHLY;BYDAY=-1${day}`;
      const entry = `${stop}-e`;
      doc.entries.push({
        id: entry,
        unit,
        stop,
        rrule,
        start: morning ? '09:00' : '14:00',
        end: morning ? '12:00' : '17:00',
        from: '2026-01-01',
        until: '2026-12-31',
        holidays: rand() < 0.9 ? 'skip' : 'keep',
      });
    }
  });
  return doc;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** Wall time and CPU time (user + system, this process) of one call, in ms. */
function measure(fn: () => unknown): { wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  return { wall, cpu: (d.user + d.system) / 1000 };
}
const time = (fn: () => unknown) => measure(fn).wall;
// Collect the previous run's garbage before each timed run (for ours and the baseline alike),
// so that a run does not pay for the one before it.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function runs(n: number, fn: () => unknown): { wall: number; cpu: number } {
  const xs = Array.from({ length: n }, () => {
    gc();
    return measure(fn);
  });
  return { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) };
}

const { list, source } = bases();
const doc = makeDocument(list);
const tLoad = time(() => parseMobileDocument(doc));
const { data } = parseMobileDocument(doc);
// Cancel, on each bus, the first passage of March (exceptions are part of the work).
const firstMarch = expandOccurrences(data, '2026-03-01', '2026-03-31');
const seen = new Set<string>();
const exceptions = firstMarch
  .filter((o) => !seen.has(o.unit) && seen.add(o.unit))
  .map((o) => ({ entry: o.entry, date: o.date, action: 'cancel' as const, reason: 'Panne' }));
const schedule = { ...data, exceptions };

let count = 0;
for (let i = 0; i < 3; i++) count = expandOccurrences(schedule, '2026-01-01', '2026-12-31').length;
const ours = runs(RUNS, () => expandOccurrences(schedule, '2026-01-01', '2026-12-31'));

const baselineLoop = () => {
  let sink = 0;
  for (let i = 0; i < count; i++) {
    const day = 1 + (i % 365);
    sink += DateTime.fromObject(
      { year: 2026, ordinal: day, hour: 9, minute: 0 },
      { zone: 'Europe/Paris' },
    ).toMillis();
  }
  return sink;
};
for (let i = 0; i < 3; i++) baselineLoop();
const baseline = runs(RUNS, baselineLoop);

const rruleLoop = () => {
  let n = 0;
  for (const e of data.entries) {
    const rule = new RRule({
      ...RRule.parseString(e.rrule),
      dtstart: new Date(Date.UTC(2026, 0, 1, 9)),
      until: new Date(Date.UTC(2026, 11, 31, 23, 59)),
    });
    n += rule.all().length;
  }
  return n;
};
rruleLoop();
const rruleMs = runs(RUNS, rruleLoop).cpu;

// The same work for both: parse each entry's rule and list its days of 2026 (no time zone, no
// holidays, no exceptions), so that the expander's comment can say what it gains over `rrule`.
const yearStart = parseDay('2026-01-01') as number;
const yearEnd = parseDay('2026-12-31') as number;
const expanderLoop = () => {
  let n = 0;
  for (const e of data.entries) n += expandRecurrence(parseRecurrence(e.rrule), yearStart, yearEnd).length;
  return n;
};
if (expanderLoop() !== rruleLoop()) throw new Error('the expander and rrule disagree on the day count');
const expanderMs = runs(RUNS, expanderLoop).cpu;

const machine = os.cpus()[0]?.model ?? 'unknown';
const date = new Date().toISOString().slice(0, 10);
const f = (x: number) => x.toFixed(1);
console.log(
  `Mobile occurrences: ${BUSES} buses × ${STOPS} stops, 2026, ${source}; ${count} occurrences; median of ${RUNS} runs.`,
);
const load = os.loadavg()[0]?.toFixed(1);
const header =
  '| Date | Machine | Occurrences | expandOccurrences CPU / wall (ms) | Baseline: luxon loop, same count, CPU / wall (ms) | Ratio (CPU) | Target ≤ 200 ms CPU |';
const row = `| ${date} | ${machine}, Node ${process.version}, ${os.cpus().length} CPUs, load ${load} | ${count} | ${f(ours.cpu)} / ${f(ours.wall)} | ${f(baseline.cpu)} / ${f(baseline.wall)} | ${(ours.cpu / baseline.cpu).toFixed(2)} | ${ours.cpu <= 200 ? 'met' : 'missed'} |`;
const notes = [
  `${BUSES} buses × ${STOPS} stops (${source}), rules seeded (weekly, every other week, 1st and 3rd weekday, last weekday of the month), 2026, one cancellation per bus: **${count} occurrences**, median of ${RUNS} runs (garbage collected between runs), one thread.`,
  `Document validation with the overlap check over every passage: ${f(tLoad)} ms wall.`,
  `Recurrence alone, same rules and same days for both (dates only, no time zone, no holidays): our expander ${f(expanderMs)} ms CPU, the \`rrule\` package ${f(rruleMs)} ms CPU, i.e. **${(rruleMs / expanderMs).toFixed(1)}×** faster (median of ${RUNS} runs each).`,
  'CPU time is the figure to read on a shared machine: wall time includes waiting for a core.',
];
console.log(notes.join('\n'));
console.log('');
console.log(header);
console.log('|---|---|---|---|---|---|---|');
console.log(row);

if (process.argv.includes('--write')) {
  writeSection(
    'mobile',
    [
      `## Mobile: occurrences (issue 5) — ${date}`,
      '',
      'Run: `npm run bench:mobile -- --write` (bench/mobile-occurrences.bench.ts).',
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      header,
      '|---|---|---|---|---|---|---|',
      row,
    ].join('\n'),
  );
  console.log(`\nSection « Mobile: occurrences » written to docs/BENCHMARKS.md.`);
}
