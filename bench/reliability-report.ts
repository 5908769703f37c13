import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const start = `<!-- proof:${name} -->`;
  const end = `<!-- /proof:${name} -->`;
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Reliability\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
}
