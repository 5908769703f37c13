import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Layering rules (docs/adr/0004-layering.md): route and plugin files run no SQL. They import
 * neither kysely nor a repository, and build no query on the database handle; they call services.
 */
const HTTP = [join(import.meta.dirname, 'http', 'routes'), join(import.meta.dirname, 'http', 'plugins')];

const FORBIDDEN: readonly [string, RegExp][] = [
  ['imports kysely', /from\s+['"]kysely['"]/],
  ['imports a repository', /from\s+['"][^'"]*\/repositories\/[^'"]+['"]/],
  ['builds a query', /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/],
];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );

/** What each file breaks, as `file: rule`. */
function violations(files: readonly string[], root: string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const name = relative(root, file).split('\\').join('/');
    const text = readFileSync(file, 'utf8');
    for (const [rule, pattern] of FORBIDDEN) if (pattern.test(text)) found.push(`${name}: ${rule}`);
  }
  return found;
}

describe('layering: routes and plugins run no SQL', () => {
  const files = HTTP.flatMap(sources);

  it('finds the route and plugin files', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith('labelling.routes.ts'))).toBe(true);
  });

  it('no route or plugin file imports kysely or a repository, or builds a query (no exception left)', () => {
    expect(violations(files, import.meta.dirname)).toEqual([]);
  });

  it('the check catches each kind of violation (it would fail if a rule matched nothing)', () => {
    const sample = [
      "import { sql } from 'kysely';",
      "import { findUnit } from '../../db/repositories/mobile.repository.js';",
      "await ctx.db.selectFrom('structures').selectAll().execute();",
      "import { htmlReply } from '../reply.js';",
    ];
    const hits = sample.map((line) => FORBIDDEN.filter(([, p]) => p.test(line)).map(([rule]) => rule));
    expect(hits).toEqual([['imports kysely'], ['imports a repository'], ['builds a query'], []]);
  });
});
