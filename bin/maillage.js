#!/usr/bin/env node
// `npx maillage …`: runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through
// `prepare`). Development from the TypeScript sources: `npm run maillage -- …` (tsx).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Young objects (a batch's text, query results) get semi-spaces of 4 MB instead of up to 16: a few more
// minor collections, and `activity import` peaks about 50 MB lower (docs/BENCHMARKS.md). Set here, before
// the heap grows: later (once a command runs) V8 no longer applies it.
setFlagsFromString('--max-semi-space-size=4');

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    'maillage : la version compilée est absente (dist/). Lancez « npm run build » (ou « npm ci »), puis réessayez.\n',
  );
  process.exit(2);
}
process.env.MAILLAGE_CLI = '1';
await import(compiled.href);
