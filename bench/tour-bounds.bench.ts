/**
 * Benchmark: what the largest bus tour the bounds let through costs the server (security review, issue 9,
 * finding 5: a 700-entry tour blocked the event loop 6.5 s and a three-year calendar weighed 108 MB).
 *
 *   npx tsx bench/tour-bounds.bench.ts [--write]      (or npm run bench:tour-bounds -- --write)
 *
 * All in one thread, the way the server validates a document: `parseMobileDocument` is synchronous, so its
 * duration is how long the event loop is blocked. Baseline, same run: the small real-looking sample tour.
 * Documents are built by hand from the sample (no randomness needed).
 */
import { cpuUsage } from 'node:process';
import { sampleDocument } from '../src/domain/mobile/fixtures.js';
import {
  DEFAULT_OCCURRENCE_PAGE,
  expandOccurrences,
  MAX_ENTRIES_PER_UNIT,
  MAX_EXCEPTIONS_PER_UNIT,
  MAX_OCCURRENCE_RANGE_DAYS,
  MAX_PASSAGES_PER_UNIT,
  MAX_PASSAGES_PER_UNIT_PER_YEAR,
  MAX_STOPS_PER_UNIT,
  MobileDocumentError,
  pageOfOccurrences,
  parseMobileDocument,
  publishedOccurrence,
} from '../src/domain/mobile/index.js';
import { machine, today, writeSection } from './report.js';

const RUNS = 7;
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Median wall and CPU milliseconds of `fn` over RUNS runs (after one warm-up). */
function measure(fn: () => unknown): { wall: number; cpu: number } {
  fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = cpuUsage();
    const t0 = performance.now();
    fn();
    walls.push(performance.now() - t0);
    const c = cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

type Doc = ReturnType<typeof sampleDocument>;

/**
 * One unit at every bound at once: 200 stops, 200 entries (each on one day of the month, 8 slots a day, so no
 * overlap) over four years (2,400 passages a year, 9,600 in all) and 1,000 cancellations.
 */
function maximalUnit(unit: string): Doc {
  const doc = sampleDocument();
  const u = { ...(doc.units[0] as Doc['units'][number]), id: unit };
  const stop0 = doc.stops[0] as Doc['stops'][number];
  const stops = Array.from({ length: MAX_STOPS_PER_UNIT }, (_, k) => ({
    ...stop0,
    id: `${unit}-s${k}`,
    unit,
  }));
  const entry0 = doc.entries[0] as Doc['entries'][number];
  const entries = Array.from({ length: MAX_ENTRIES_PER_UNIT }, (_, k) => ({
    ...entry0,
    id: `${unit}-e${k}`,
    unit,
    stop: `${unit}-s${k}`,
    rrule: `FREQ=MONTHLY;BYMONTHDAY=${(k % 28) + 1}`,
    start: hhmm(8 * 60 + 60 * Math.floor(k / 28)),
    end: hhmm(8 * 60 + 60 * Math.floor(k / 28) + 50),
    from: '2026-01-01',
    until: '2029-12-31',
    holidays: 'keep',
  }));
  const exceptions = entries.flatMap((e, k) =>
    Array.from({ length: MAX_EXCEPTIONS_PER_UNIT / MAX_ENTRIES_PER_UNIT }, (_, m) => ({
      entry: e.id,
      date: `2026-${String(m + 1).padStart(2, '0')}-${String((k % 28) + 1).padStart(2, '0')}`,
      action: 'cancel',
      reason: 'Panne du véhicule',
    })),
  );
  return { units: [u], stops, entries, exceptions } as Doc;
}

/** The review's attack: 700 one-minute entries, every day for three years. */
function reviewAttack(): Doc {
  const doc = sampleDocument();
  const first = doc.entries[0] as Doc['entries'][number];
  doc.entries = Array.from({ length: 700 }, (_, k) => ({
    ...first,
    id: `x${k}`,
    rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',
    start: hhmm(6 * 60 + k),
    end: hhmm(6 * 60 + k + 1),
    from: '2026-12-01',
    until: '2029-12-01',
  }));
  doc.exceptions = [];
  return doc;
}

const merge = (docs: Doc[]): Doc => ({
  units: docs.flatMap((d) => d.units),
  stops: docs.flatMap((d) => d.stops),
  entries: docs.flatMap((d) => d.entries),
  exceptions: docs.flatMap((d) => d.exceptions),
});

const sample = sampleDocument();
const maximal = maximalUnit('bus-max');
const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
// How many maximal units fit in the API's 1 MB body (the back office takes 200,000 characters).
const perApiBody = Math.floor(1_000_000 / bytes(maximal));
const apiWorst = merge(Array.from({ length: perApiBody }, (_, i) => maximalUnit(`bus-${i}`)));
const attack = reviewAttack();

const { data } = parseMobileDocument(maximal);
const passages = expandOccurrences(data, '2026-01-01', '2029-12-31').length;
if (passages > MAX_PASSAGES_PER_UNIT) throw new Error(`the maximal unit has ${passages} passages`);
const refused = (() => {
  try {
    parseMobileDocument(attack);
    return 'accepted';
  } catch (e) {
    return e instanceof MobileDocumentError ? e.message.slice(0, 90) : String(e);
  }
})();

const baseline = measure(() => parseMobileDocument(sample));
const attackMs = measure(() => {
  try {
    parseMobileDocument(attack);
  } catch {}
});
const maximalMs = measure(() => parseMobileDocument(maximal));
const apiMs = measure(() => parseMobileDocument(apiWorst));

// The public calendar: one year of the maximal unit, first page, as the API builds it (JSON included).
const yearEnd = '2026-12-31';
const pageJson = () => {
  const list = expandOccurrences(data, '2026-01-01', yearEnd, { unit: 'bus-max' });
  const page = pageOfOccurrences(list, DEFAULT_OCCURRENCE_PAGE);
  return JSON.stringify({
    items: page.items.map(publishedOccurrence),
    next: page.next,
  });
};
const pageMs = measure(pageJson);
const pageBytes = Buffer.byteLength(pageJson());
const sampleYear = measure(() => expandOccurrences(parseMobileDocument(sample).data, '2026-01-01', yearEnd));

const f = (x: number) => x.toFixed(1);
const rows = [
  ['Sample tour (baseline): 1 unit, 2 stops, 2 entries, 3 exceptions', bytes(sample), baseline],
  ['The review’s attack: 700 daily entries over 3 years (refused)', bytes(attack), attackMs],
  [
    `Largest tour let through: 1 unit, ${MAX_STOPS_PER_UNIT} stops, ${MAX_ENTRIES_PER_UNIT} entries, ${passages.toLocaleString('en')} passages, ${MAX_EXCEPTIONS_PER_UNIT} exceptions`,
    bytes(maximal),
    maximalMs,
  ],
  [`The API’s 1 MB body full of such units (${perApiBody} units)`, bytes(apiWorst), apiMs],
] as const;
/** A Markdown table padded as the formatter (Biome) writes it, so that `biome check .` stays clean after a run. */
function markdownTable(header: string[], right: boolean[], body: string[][]): string[] {
  const width = header.map((h, c) => Math.max(3, h.length, ...body.map((r) => (r[c] ?? '').length)));
  const cell = (text: string, c: number) =>
    right[c] ? text.padStart(width[c] as number) : text.padEnd(width[c] as number);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${width.map((w, c) => (right[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)];
}
const table = markdownTable(
  [
    'Document validated (`parseMobileDocument`, event loop blocked)',
    'Size (bytes)',
    'Wall (ms)',
    'CPU (ms)',
    '× baseline (CPU)',
  ],
  [false, true, true, true, true],
  rows.map(([what, size, m]) => [
    what,
    size.toLocaleString('en'),
    f(m.wall),
    f(m.cpu),
    (m.cpu / baseline.cpu).toFixed(1),
  ]),
);
const notes = [
  `Bounds (src/domain/mobile/load.ts, docs/mobile-schema.md): per unit ${MAX_STOPS_PER_UNIT} stops, ${MAX_ENTRIES_PER_UNIT} entries, ${MAX_PASSAGES_PER_UNIT.toLocaleString('en')} passages over the document and ${MAX_PASSAGES_PER_UNIT_PER_YEAR.toLocaleString('en')} in a calendar year, ${MAX_EXCEPTIONS_PER_UNIT.toLocaleString('en')} exceptions; the review's attack is refused with: « ${refused}… ».`,
  `Public calendar: a range of ${MAX_OCCURRENCE_RANGE_DAYS} days at most, pages of ${DEFAULT_OCCURRENCE_PAGE} passages by default: the first page of a year of the largest tour takes ${f(pageMs.wall)} ms wall / ${f(pageMs.cpu)} ms CPU and weighs ${pageBytes.toLocaleString('en')} bytes (a year of the sample tour, expanded alone: ${f(sampleYear.cpu)} ms CPU).`,
  `Median of ${RUNS} runs after a warm-up, one thread. CPU time is the figure to read on this shared machine.`,
];
const section = [
  `## Security: bus tour bounds (issue 9, finding 5) — ${today()}`,
  '',
  'Run: `npm run bench:tour-bounds -- --write` (bench/tour-bounds.bench.ts).',
  `Machine: ${machine()}.`,
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  ...table,
].join('\n');
console.log(section);
if (process.argv.includes('--write')) {
  writeSection('tour-bounds', section);
  console.log('\nSection « Security: bus tour bounds » written to docs/BENCHMARKS.md.');
}
