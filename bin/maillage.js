#!/usr/bin/env node
// `npx maillage …`: runs the TypeScript CLI through tsx, with the same composition root as the server.
import { register } from 'tsx/esm/api';

register();
process.env.MAILLAGE_CLI = '1';
await import('../src/cli/main.ts');
