import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMarkedSection } from './report.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'RELIABILITY.md');

/** The machine's load when the figures were taken: the machine is shared, so say how busy it was. */
export const load = () =>
  `charge moyenne ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1, 5, 15 min)`;

/**
 * Replace one named section of docs/RELIABILITY.md (between `<!-- proof:NAME -->` markers), leaving the
 * explanations and the other proofs' figures alone. Same rule as bench/report.ts for BENCHMARKS.md.
 */
export function writeReliabilitySection(name: string, markdown: string): void {
  writeMarkedSection(FILE, `proof:${name}`, markdown, '# Reliability\n');
}
