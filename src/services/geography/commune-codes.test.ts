import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CommuneCodes, type CommuneRecord, CommuneRegistry } from '../../domain/geography/index.js';
import { loadCommuneCodes } from './commune-codes.js';

const records = createRequire(import.meta.url)(
  '@etalab/decoupage-administratif/data/communes.json',
) as CommuneRecord[];

describe('commune codes snapshot', () => {
  it('is what the pinned package gives (rebuild with npm run snapshots:build)', () => {
    expect(loadCommuneCodes().toCsv()).toBe(CommuneCodes.fromRecords(records).toCsv());
  });

  it('resolves every code as the commune registry does', () => {
    const codes = loadCommuneCodes();
    const registry = new CommuneRegistry({ records });
    const asked = new Set(records.flatMap((r) => [r.code, ...(r.anciensCodes ?? [])]));
    for (const extra of ['99999', '2A004', '75101', '49001', '13201']) asked.add(extra);
    for (const code of asked) expect(codes.resolve(code), code).toBe(registry.resolve(code)?.code ?? null);
  });

  it('reads literal snapshot text and refuses a malformed one', () => {
    const codes = CommuneCodes.parse('code,actuel\n49126,\n49001,49126\n');
    expect(codes.resolve('49001')).toBe('49126');
    expect(codes.resolve('49126')).toBe('49126');
    expect(codes.resolve('49002')).toBeNull();
    expect(() => CommuneCodes.parse('code,nom\n49126,Angers\n')).toThrow(/en-tête/);
    expect(() => CommuneCodes.parse('code,actuel\n4912,\n')).toThrow(/ligne 2/);
  });
});
