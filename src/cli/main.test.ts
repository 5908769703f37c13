import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_MODULES } from './main.js';

describe('maillage: lazily loaded command modules', () => {
  it('the table names exactly the top-level commands each module registers', async () => {
    const program = await buildProgram();
    const registered = program.commands.map((c) => c.name()).sort();
    const declared = COMMAND_MODULES.flatMap((m) => Object.keys(m.commands)).sort();
    expect(registered).toEqual(declared);
  });
});
