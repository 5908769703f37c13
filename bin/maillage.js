#!/usr/bin/env node
// `npx maillage …`: runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through
// `prepare`). Development from the TypeScript sources: `npm run maillage -- …` (tsx).
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
