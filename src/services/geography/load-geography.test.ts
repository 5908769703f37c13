import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommuneRegistry } from '../../domain/geography/index.js';
import { COMPACT_PACKAGE_SOURCES, loadPackageSources, readPackageSources } from './load-geography.js';

const registryOf = (s: ReturnType<typeof readPackageSources>) =>
  new CommuneRegistry({ records: s.records, epciMembers: new Map(s.epci.map((e) => [e.code, e.membres])) });

describe('the commune registry’s sources', () => {
  const sources = readPackageSources();
  // What `npm run build` writes beside the compiled module, and the server reads at each start.
  const compact = JSON.parse(JSON.stringify(sources)) as typeof sources;

  it('keeps every commune record the registry reads, with the package’s version', () => {
    expect(sources.records.length).toBeGreaterThan(37_000);
    expect(sources.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(compact.records).toHaveLength(sources.records.length);
    expect(compact.epci).toHaveLength(sources.epci.length);
  });

  it('builds the same registry from the compact copy as from the package', () => {
    const a = registryOf(sources);
    const b = registryOf(compact);
    expect(b.size).toBe(a.size);
    // A current commune, an old code, a commune déléguée, an arrondissement, a postal code, a name.
    for (const code of ['02361', '75056', '75101', '13055', '49092', '97411'])
      expect(b.resolve(code)).toEqual(a.resolve(code));
    expect(b.byPostalCode('02120').map((c) => c.code)).toEqual(a.byPostalCode('02120').map((c) => c.code));
  });

  it('reads the package when no compact copy of its version sits beside the module', () => {
    const beside = join(import.meta.dirname, COMPACT_PACKAGE_SOURCES);
    const loaded = loadPackageSources();
    if (!existsSync(beside)) expect(loaded).toEqual(sources);
    else {
      const file = JSON.parse(readFileSync(beside, 'utf8')) as typeof sources;
      expect(loaded).toEqual(file.version === sources.version ? file : sources);
    }
  });
});

describe('the compact copy written by the build', () => {
  const built = join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'dist',
    'services',
    'geography',
    COMPACT_PACKAGE_SOURCES,
  );
  // `npm ci` builds dist/ (prepare), as the command-line tests also require.
  it('holds the installed package’s sources', () => {
    expect(existsSync(built), `${built} : lancez « npm run build »`).toBe(true);
    expect(JSON.parse(readFileSync(built, 'utf8'))).toEqual(JSON.parse(JSON.stringify(readPackageSources())));
  });
});
