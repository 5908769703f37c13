import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'BENCHMARKS.md');

/** The machine, as the figures' context: the same run's baseline makes them comparable anyway. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'CPU inconnu'} × ${cpu.length} cœurs, ${Math.round(totalmem() / 2 ** 30)} Gio, Node ${process.version}, ${process.platform}`;
}

export const today = () => new Date().toISOString().slice(0, 10);

/** The project's seeded generator, so that before and after runs use the same inputs. */
export { seededRandom as seeded } from '../src/domain/shared/seeded-random.js';

/**
 * Replace one named section of a Markdown file (between `<!-- KIND:NAME -->` markers), leaving the other
 * sections alone; a missing file starts with `header`.
 */
export function writeMarkedSection(file: string, marker: string, markdown: string, header: string): void {
  const start = `<!-- ${marker} -->`;
  const end = `<!-- /${marker} -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

/** Replace one named section of docs/BENCHMARKS.md, leaving the other benchmarks' sections alone. */
export function writeSection(name: string, markdown: string): void {
  writeMarkedSection(
    FILE,
    `bench:${name}`,
    markdown,
    '# Benchmarks\n\nEach section is written by its benchmark in bench/ (`npm run bench:<name>`), with the date, the machine, and a baseline measured in the same run: these machines are noisy, so compare ratios, not absolute figures.\n',
  );
}
