import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivityImport } from '../../../src/cli/commands/activity.js';
import type { AppContext } from '../../../src/composition.js';
import { closeContext } from '../../../src/composition.js';
import { EXCHANGE_HEADER } from '../../../src/domain/accompagnement/index.js';
import { IMPORT_BATCH } from '../../../src/services/accompagnement/import.service.js';
import { insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';
import { exchangeLine } from '../../support/exchange-csv.js';

/**
 * The import through its reading thread (import.worker.ts, loaded from the sources here): one file that
 * creates, updates, leaves unchanged and rejects rows, across more than one batch; the rollups exact after.
 */
let ctx: AppContext;
let dir: string;
let idFs: string;

const line = (o: Partial<Record<string, string>> & { id: string }) =>
  exchangeLine({ ...o, id: o.id, id_fs: o.id_fs ?? idFs });

beforeAll(async () => {
  ctx = await buildTestContext({ now: '2026-11-24T09:30:00Z' });
  dir = await mkdtemp(join(tmpdir(), 'import-mixed-'));
  idFs = (await insertStructure(ctx, { departement: '02' })).idFs;
});
afterAll(async () => {
  await closeContext(ctx);
  await rm(dir, { recursive: true, force: true });
});

describe('activity import of a mixed file', () => {
  it('counts created, updated, unchanged and rejected rows, and leaves the rollups exact', async () => {
    const kept = randomUUID();
    const moved = randomUUID();
    const first = join(dir, 'first.csv');
    await writeFile(first, [EXCHANGE_HEADER, line({ id: kept }), line({ id: moved })].join('\n'));
    expect(await runActivityImport(ctx, { file: first })).toMatchObject({ created: 2, rejected: [] });

    // Past one batch: new rows fill the first batch, the known ids and bad rows sit in the second.
    const fresh = Array.from({ length: IMPORT_BATCH + 10 }, (_, i) =>
      line({ id: randomUUID(), debut: `2026-0${1 + (i % 9)}-1${i % 10}T10:00:00+01:00` }),
    );
    const body = [
      EXCHANGE_HEADER,
      ...fresh,
      line({ id: kept }),
      line({ id: moved, debut: '2026-07-01T10:00:00+02:00', partenaire: 'ants', demarche: 'ants.passeport' }),
      line({ id: randomUUID(), commune_usager: '99999' }),
      line({ id: randomUUID(), id_fs: 'inconnue' }),
      'pas,un,accompagnement',
    ].join('\n');
    const second = join(dir, 'second.csv');
    await writeFile(second, body);
    const report = await runActivityImport(ctx, { file: second });
    const base = IMPORT_BATCH + 10 + 1; // the header is line 1
    expect(report).toMatchObject({ created: IMPORT_BATCH + 10, updated: 1, unchanged: 1 });
    expect(report.rejected.map((r) => [r.line, r.field])).toEqual([
      [base + 3, 'commune_usager'],
      [base + 4, 'id_fs'],
      [base + 5, 'ligne'],
    ]);
    const stored = await sql<{ partenaire: string; jour: string }>`
      select partenaire, to_char(jour_local, 'YYYY-MM-DD') as jour from accompagnements where id = ${moved}`.execute(
      ctx.db,
    );
    expect(stored.rows).toEqual([{ partenaire: 'ants', jour: '2026-07-01' }]);
    expect(await ctx.pilotage.rollups.check()).toMatchObject({ ok: true, records: IMPORT_BATCH + 12 });

    // Again: everything unchanged, nothing rebuilt.
    const again = await runActivityImport(ctx, { file: second });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: IMPORT_BATCH + 12 });
    expect(again.rejected).toHaveLength(3);
  });

  it('writes the later line of an id repeated in the file with another content, counted as an update', async () => {
    const twice = randomUUID();
    const body = [
      EXCHANGE_HEADER,
      line({ id: twice, debut: '2026-09-02T10:00:00+02:00' }),
      // More than one batch apart: rows are checked a batch at a time, then sorted and written by window.
      ...Array.from({ length: IMPORT_BATCH + 5 }, () =>
        line({ id: randomUUID(), debut: '2026-08-03T10:00:00+02:00' }),
      ),
      line({ id: twice, debut: '2026-03-02T10:00:00+01:00', partenaire: 'ants', demarche: 'ants.passeport' }),
    ].join('\n');
    const file = join(dir, 'twice.csv');
    await writeFile(file, body);
    const report = await runActivityImport(ctx, { file });
    expect(report).toMatchObject({ created: IMPORT_BATCH + 6, updated: 1, unchanged: 0, rejected: [] });
    const stored = await sql<{ partenaire: string; jour: string }>`
      select partenaire, to_char(jour_local, 'YYYY-MM-DD') as jour from accompagnements where id = ${twice}`.execute(
      ctx.db,
    );
    expect(stored.rows).toEqual([{ partenaire: 'ants', jour: '2026-03-02' }]);
    expect(await ctx.pilotage.rollups.check()).toMatchObject({ ok: true });
  });

  it('writes nothing for a file of another format, even after valid-looking lines', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from accompagnements`.execute(ctx.db);
    const other = join(dir, 'other.csv');
    await writeFile(other, `nom,prenom\n${line({ id: randomUUID() })}\n`);
    await expect(runActivityImport(ctx, { file: other })).rejects.toThrow(/n’est pas au format d’échange/);
    const after = await sql<{ n: number }>`select count(*)::int as n from accompagnements`.execute(ctx.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
