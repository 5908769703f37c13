import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

/** `maillage cases due` through the CLI entry (issue 13, step 5): the app's own addBusinessHours. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    const code = await main(['node', 'maillage', 'cases', 'due', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('maillage cases due', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the due instant with the commune’s offset (hand-counted)', async () => {
    // Wednesday 1 April 2026 10:00 in Metz: Good Friday and Easter Monday pause → Wednesday 8 April 10:00.
    expect(
      await run(
        '--from',
        '2026-04-01T10:00:00+02:00',
        '--business-hours',
        '72',
        '--commune',
        '57463',
        '--json',
      ),
    ).toEqual({
      code: 0,
      out: '{"due":"2026-04-08T10:00:00+02:00"}\n',
      err: '',
    });
    // The same start in Guise: Good Friday works.
    const guise = await run(
      '--from',
      '2026-04-01T08:00:00Z',
      '--business-hours',
      '72',
      '--commune',
      '02361',
      '--json',
    );
    expect(JSON.parse(guise.out)).toEqual({ due: '2026-04-07T10:00:00+02:00' });
    // La Réunion (UTC+4), its 20 December 2027: Friday 17 15:00 local → Thursday 23 15:00 local.
    const reunion = await run(
      '--from',
      '2027-12-17T15:00:00',
      '--business-hours',
      '72',
      '--commune',
      '97414',
      '--json',
    );
    expect(JSON.parse(reunion.out)).toEqual({ due: '2027-12-23T15:00:00+04:00' });
    // Across the autumn clock change: Friday 23 October 2026 12:00 CEST → Wednesday 28 October 12:00 CET.
    const dst = await run(
      '--from',
      '2026-10-23T12:00:00+02:00',
      '--business-hours',
      '72',
      '--commune',
      '75056',
      '--json',
    );
    expect(JSON.parse(dst.out)).toEqual({ due: '2026-10-28T12:00:00+01:00' });
    // A Saturday start counts from Monday 00:00.
    const weekend = await run(
      '--from',
      '2026-03-28T10:00:00+01:00',
      '--business-hours',
      '1',
      '--commune',
      '75056',
    );
    expect(weekend.out).toBe('Échéance : 2026-03-30T01:00:00+02:00\n');
  });

  it('answers bad input with a French message naming the option, exit code 2, no stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', 'demain', '--business-hours', '72', '--commune', '75056'], /--from : date ISO 8601/],
      [['--from', '2026-02-30T10:00:00Z', '--business-hours', '72', '--commune', '75056'], /--from/],
      [['--business-hours', '72', '--commune', '75056'], /--from/],
      [
        ['--from', '2026-04-01T10:00:00Z', '--business-hours', 'Infinity', '--commune', '75056'],
        /--business-hours/,
      ],
      [
        ['--from', '2026-04-01T10:00:00Z', '--business-hours', '-1', '--commune', '75056'],
        /--business-hours/,
      ],
      [
        ['--from', '2026-04-01T10:00:00Z', '--business-hours', '1e400', '--commune', '75056'],
        /--business-hours/,
      ],
      [
        ['--from', '2026-04-01T10:00:00Z', '--business-hours', '99999999', '--commune', '75056'],
        /entre 0 et/,
      ],
      [
        ['--from', '2026-04-01T10:00:00Z', '--business-hours', '72', '--commune', '<script>'],
        /--commune : code INSEE/,
      ],
      [['--from', '2026-04-01T10:00:00Z', '--business-hours', '72'], /--commune/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it('runs as a real process: the JSON on stdout, exit code 2 on bad input', () => {
    const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'cases', 'due', ...args],
        {
          cwd: repo,
          env: { ...process.env, MAILLAGE_CLI: '1', LOG_LEVEL: 'silent' },
          encoding: 'utf8',
        },
      );
    const ok = cli([
      '--from',
      '2026-12-03T16:00:00+01:00',
      '--business-hours',
      '72',
      '--commune',
      '75056',
      '--json',
    ]);
    // Thursday 3 December 2026 16:00: 8 + 24 (Fri) + 24 (Mon 7) + 16 → Tuesday 8 December 16:00.
    expect([ok.status, ok.stdout]).toEqual([0, '{"due":"2026-12-08T16:00:00+01:00"}\n']);
    const bad = cli(['--from', 'x', '--business-hours', '72', '--commune', '75056', '--json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^maillage : --from : date ISO 8601/);
  });
});
