import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRollupCatchUp } from './jobs.js';
import type { PilotageRollups } from './rollups.service.js';

afterEach(() => vi.useRealTimers());

describe('the server’s catch-up of imported months', () => {
  it('runs every interval, never twice at once, and logs a failure without stopping', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let release: (() => void) | null = null;
    const rollups = {
      refreshStale: () => {
        calls++;
        if (calls === 2) return Promise.reject(new Error('panne'));
        return new Promise<{ months: number }>((resolve) => {
          release = () => resolve({ months: 1 });
        });
      },
    } as unknown as PilotageRollups;
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o) } as never;
    const job = startRollupCatchUp(rollups, logger, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000); // still running: not started again
    expect(calls).toBe(1);
    (release as unknown as () => void)();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);
    job.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(3);
  });
});
