import { spawn } from 'node:child_process';
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

/**
 * Runs the compiled CLI as `npx maillage` does (the bin itself: its first line sets the process's V8
 * flags), with `env` added to this process's. Resolves with its duration, its standard output and its
 * peak RSS (the kernel's high-water mark, VmHWM, read until it exits); rejects on a non-zero exit.
 */
export function runMaillage(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ ms: number; out: string; peakRss: number }> {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'maillage.js');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bin, args, {
      env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let peakRss = 0;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakRss = Math.max(peakRss, Number(hwm[1]) * 1024);
      } catch {
        // the process has just ended
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`maillage ${args.join(' ')} : code ${code}`));
      resolve({ ms: performance.now() - started, out, peakRss });
    });
  });
}
