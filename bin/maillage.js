#!/usr/bin/env -S node --max-semi-space-size=2
// `npx maillage …`: runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through
// `prepare`). Development from the TypeScript sources: `npm run maillage -- …` (tsx).
//
// The first line gives V8 semi-spaces of 2 MB instead of up to 16 (a batch's text, query results are
// young objects): a few more minor collections, and `activity import` of 1 M rows peaked at 364–401 MB
// instead of 431–461 MB (docs/BENCHMARKS.md). V8 sizes the young generation when the process starts only:
// set later, from here with v8.setFlagsFromString, it has no effect. `node bin/maillage.js` runs without it.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    'maillage : la version compilée est absente (dist/). Lancez « npm run build » (ou « npm ci »), puis réessayez.\n',
  );
  process.exit(2);
}
process.env.MAILLAGE_CLI = '1';
await import(compiled.href);
