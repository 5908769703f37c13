/**
 * Time-zone benchmark (issue 10): the cost of reading every structure on its own clock, with its
 * commune's public holidays, in the locator's per-result work (`publicOpening`).
 *
 * All 2,845 structures of the real 2024-08 list (119 overseas), each asked at 20 seeded instants of 2026.
 * Baseline, same run: publicOpening as it was before issue 10 (status check, then `openingState` on the
 * metropolitan clock, no holidays, the same result object). Rounds alternate which runs first. Median CPU time of 5 rounds, garbage collected before each.
 *
 *   npm run bench:time-zone [-- --write]     (reads ../shared/data)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parse } from 'csv-parse/sync';
import { publicOpening } from '../src/domain/directory/locator.js';
import { openingState, weeklyHoursFromText } from '../src/domain/directory/opening-hours.js';
import type { Structure } from '../src/domain/directory/structure.js';
import { isOverseasZone, timeZoneOfPlace } from '../src/domain/shared/time-zone.js';
import { machine, seeded, today, writeSection } from './report.js';

const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'data');
const INSTANTS = 20;
const ROUNDS = 6;

const rows = parse(readFileSync(join(SHARED, 'france-services-2024-08.csv')), {
  columns: true,
  skip_empty_lines: true,
}) as Record<string, string>[];
const structures: Structure[] = [];
for (const r of rows) {
  let hours: Structure['hours'];
  try {
    hours = weeklyHoursFromText({
      lundi: r.h_lundi,
      mardi: r.h_mardi,
      mercredi: r.h_mercredi,
      jeudi: r.h_jeudi,
      vendredi: r.h_vendredi,
      samedi: r.h_samedi,
    }).hours;
  } catch {
    continue; // unreadable hours are rejected by the import too
  }
  // Only the fields the opening computation reads; the rest of a Structure plays no part here.
  structures.push({
    codeInsee: r.insee_com ?? '',
    departement: r.insee_dep ?? '',
    hours,
    closures: [],
    status: 'ouverte',
    statusUntil: null,
  } as unknown as Structure);
}
const overseas = structures.filter((s) => isOverseasZone(timeZoneOfPlace(s))).length;

const random = seeded(20261203);
const start = Date.UTC(2026, 0, 1);
const instants = Array.from(
  { length: INSTANTS },
  () => new Date(start + Math.floor(random() * 365 * 86_400_000)),
);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function cpuMs(fn: () => number): { cpu: number; open: number } {
  gc();
  const c = process.cpuUsage();
  const open = fn();
  const d = process.cpuUsage(c);
  return { cpu: (d.user + d.system) / 1000, open };
}

const zoned = () => {
  let open = 0;
  for (const at of instants) for (const s of structures) if (publicOpening(s, at).open) open += 1;
  return open;
};
const parisOnly = () => {
  let open = 0;
  for (const at of instants)
    for (const s of structures) {
      // publicOpening as it was before issue 10: the status check, then the hours on the Paris clock.
      const closed = s.status === 'fermee_definitivement' || s.status === 'accueil_a_distance';
      const state = closed
        ? {
            open: false,
            closesAt: null,
            opensAt: null,
            closure: null,
            remoteOnly: false,
            closedByStatus: true,
          }
        : { ...openingState(s.hours, at, s.closures), remoteOnly: false, closedByStatus: false };
      if (state.open) open += 1;
    }
  return open;
};

zoned();
parisOnly(); // warm-up: JIT and the offset caches, for both
const ours: number[] = [];
const base: number[] = [];
let openOurs = 0;
let openBase = 0;
for (let i = 0; i < ROUNDS; i += 1) {
  // Alternate which runs first, so that neither always pays for the other's garbage or cache misses.
  let a: { cpu: number; open: number };
  let b: { cpu: number; open: number };
  if (i % 2 === 0) {
    a = cpuMs(zoned);
    b = cpuMs(parisOnly);
  } else {
    b = cpuMs(parisOnly);
    a = cpuMs(zoned);
  }
  ours.push(a.cpu);
  base.push(b.cpu);
  openOurs = a.open;
  openBase = b.open;
}
const calls = structures.length * INSTANTS;
const o = median(ours);
const b = median(base);
const perCallUs = (ms: number) => ((ms * 1000) / calls).toFixed(2);
const ratio = o / b;
console.log(
  `${structures.length} structures (${overseas} overseas) × ${INSTANTS} instants = ${calls} calls. Zoned + holidays: ${o.toFixed(1)} ms CPU (${perCallUs(o)} µs/call); baseline Paris, no holidays: ${b.toFixed(1)} ms (${perCallUs(b)} µs/call); ratio ${ratio.toFixed(2)}. Open answers: ${openOurs} vs ${openBase}.`,
);

if (process.argv.includes('--write')) {
  writeSection(
    'time-zone',
    `## Time zones and holidays in open-now (issue 10) — ${today()}

Run: \`npm run bench:time-zone -- --write\` (bench/time-zone.bench.ts). Machine: ${machine()}.

- ${structures.length} structures of the real 2024-08 list (${overseas} overseas), each asked at ${INSTANTS} seeded instants of 2026: **${calls} calls**, median CPU time of ${ROUNDS} rounds, one thread.
- \`publicOpening\` (each structure on its commune's clock, closed on its public holidays): **${o.toFixed(1)} ms** (${perCallUs(o)} µs per call).
- Baseline, same run: \`publicOpening\` as it was before issue 10 (\`openingState\` on the metropolitan clock, no holidays; rounds alternate which runs first): **${b.toFixed(1)} ms** (${perCallUs(b)} µs per call).
- Ratio: **${ratio.toFixed(2)}**. Answers differ where they should: ${openOurs} "open" answers against ${openBase} (overseas clocks, holidays).`,
  );
}
