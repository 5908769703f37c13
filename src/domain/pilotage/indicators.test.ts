import { describe, expect, it } from 'vitest';
import { parseIndicatorDimension, parseIndicatorQuery, planRange } from './indicators.js';

describe('indicator queries', () => {
  it('refuses a reversed range, more than five years, an unknown territory or dimension', () => {
    expect(() => parseIndicatorQuery({ territory: 'FR', from: '2026-02-01', to: '2026-01-01' })).toThrow(
      expect.objectContaining({ field: 'to', message: expect.stringMatching(/précède/) }),
    );
    expect(() => parseIndicatorQuery({ territory: 'FR', from: '2020-01-01', to: '2025-01-01' })).toThrow(
      expect.objectContaining({ field: 'to', message: expect.stringMatching(/5 ans/) }),
    );
    expect(parseIndicatorQuery({ territory: 'FR', from: '2020-01-01', to: '2024-12-31' }).to).toBe(
      '2024-12-31',
    );
    expect(() => parseIndicatorQuery({ territory: 'pays:XX', from: '2026-01-01', to: '2026-01-02' })).toThrow(
      expect.objectContaining({ field: 'territory' }),
    );
    expect(() => parseIndicatorQuery({ territory: 'FR', from: 'Infinity', to: '2026-01-02' })).toThrow(
      expect.objectContaining({ field: 'from' }),
    );
    expect(() => parseIndicatorDimension('note')).toThrow(expect.objectContaining({ field: 'by' }));
    expect(() => parseIndicatorDimension(['canal'])).toThrow(expect.objectContaining({ field: 'by' }));
  });

  it('reads whole months from the month rows and the edges from the day rows', () => {
    expect(planRange('2026-01-01', '2026-12-31')).toEqual({
      months: { from: '2026-01-01', to: '2026-12-01' },
      days: [],
    });
    expect(planRange('2026-01-15', '2026-03-10')).toEqual({
      months: { from: '2026-02-01', to: '2026-02-01' },
      days: [
        { from: '2026-01-15', to: '2026-01-31' },
        { from: '2026-03-01', to: '2026-03-10' },
      ],
    });
    expect(planRange('2026-01-15', '2026-02-10')).toEqual({
      months: null,
      days: [{ from: '2026-01-15', to: '2026-02-10' }],
    });
    expect(planRange('2024-02-01', '2024-02-29').months).toEqual({ from: '2024-02-01', to: '2024-02-01' });
  });
});
