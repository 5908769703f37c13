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

/**
 * One owner for the `structures` table (issue 11, docs/adr/0004-layering.md): in src/, only the structures
 * repository names it in a query, so only it writes it. Migrations create it; schema/ types it. Other
 * capabilities call that repository's functions, or hand it a where-clause (`structureScope`).
 */
const SRC = import.meta.dirname;
const STRUCTURES_OWNER = 'db/repositories/directory.repository.ts';
const STRUCTURES_RULES: readonly [string, RegExp][] = [
  [
    'writes structures',
    /\.(insertInto|updateTable|deleteFrom|mergeInto|replaceInto)\(\s*['"`]structures\b|\b(insert\s+into|update|delete\s+from|merge\s+into|truncate(\s+table)?)\s+structures\b/i,
  ],
  [
    'queries structures',
    /\.(selectFrom|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|innerJoinLateral|leftJoinLateral)\(\s*['"`]structures\b|\b(from|join)\s+structures\b/i,
  ],
];

function structuresViolations(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const name = relative(SRC, file).split('\\').join('/');
    if (name === STRUCTURES_OWNER || name.startsWith('db/migrations/') || name.startsWith('db/schema/'))
      continue;
    const text = readFileSync(file, 'utf8');
    for (const [rule, pattern] of STRUCTURES_RULES) if (pattern.test(text)) found.push(`${name}: ${rule}`);
  }
  return found;
}

describe('one owner for the structures table', () => {
  const files = sources(SRC);

  it('reads every source file of src/, the owner among them', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => relative(SRC, f).split('\\').join('/') === STRUCTURES_OWNER)).toBe(true);
  });

  it('no module but the structures repository writes or queries `structures`', () => {
    expect(structuresViolations(files)).toEqual([]);
  });

  it('the owner does write and query it (the rules match what it does)', () => {
    const owner = readFileSync(join(SRC, STRUCTURES_OWNER), 'utf8');
    expect(STRUCTURES_RULES.map(([rule, p]) => [rule, p.test(owner)])).toEqual([
      ['writes structures', true],
      ['queries structures', true],
    ]);
  });

  it('the check catches each way of writing or querying the table, and nothing else', () => {
    const sample = [
      "await db.insertInto('structures').values(row).execute();",
      "await trx.updateTable('structures').set({ status }).execute();",
      "await db.deleteFrom('structures').execute();",
      "await client.query('UPDATE structures SET status = $1', [s]);",
      "db.selectFrom('structures as s').selectAll()",
      ".innerJoin('structures as s', 's.id', 'i.structure_id')",
      'sql`select count(*) from structures s join status_history h on h.structure_id = s.id`',
      "db.selectFrom('user_structures').selectAll()",
      "eb('structures.departement', '=', departement)",
      "{ kind: 'structures', structureIds }",
    ];
    const hits = sample.map((line) => STRUCTURES_RULES.filter(([, p]) => p.test(line)).map(([rule]) => rule));
    expect(hits).toEqual([
      ['writes structures'],
      ['writes structures'],
      ['writes structures'],
      ['writes structures'],
      ['queries structures'],
      ['queries structures'],
      ['queries structures'],
      [],
      [],
      [],
    ]);
  });
});
