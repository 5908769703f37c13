import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportStructures, runImportStructures } from '../../src/cli/commands/directory.js';
import type { AppContext } from '../../src/composition.js';
import { closeContext } from '../../src/composition.js';
import { listAllStructures } from '../../src/db/repositories/directory.repository.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { buildTestContext } from '../support/app.js';
import { OFFICIAL_HEADER, officialRow } from '../support/structures.js';

const dir = mkdtempSync(join(tmpdir(), 'maillage-import-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('import structures (command functions, real database)', () => {
  let ctx: AppContext;
  beforeAll(async () => {
    ctx = await buildTestContext();
  });
  afterAll(async () => ctx && closeContext(ctx));

  it('creates, then reports unchanged and updated rows on a second run', async () => {
    const v1 = file(
      'v1.csv',
      [OFFICIAL_HEADER, officialRow({ id_fs: '1' }), officialRow({ id_fs: '2', lib_fs: 'Autre' })].join('\n'),
    );
    expect(await runImportStructures(ctx, { file: v1 })).toMatchObject({
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: [],
    });
    const v2 = file(
      'v2.csv',
      [
        OFFICIAL_HEADER,
        officialRow({ id_fs: '1' }),
        officialRow({ id_fs: '2', lib_fs: 'Autre nom' }),
        officialRow({ id_fs: '3' }),
      ].join('\n'),
    );
    expect(await runImportStructures(ctx, { file: v2 })).toMatchObject({
      created: 1,
      updated: 1,
      unchanged: 1,
    });
    const all = await listAllStructures(ctx.db);
    expect(all.map((s) => [s.idFs, s.name, s.version])).toEqual([
      ['1', 'France services de Guise', 1],
      ['2', 'Autre nom', 2],
      ['3', 'France services de Guise', 1],
    ]);
  });

  it('accepts or rejects every dirty row with its line, and commits the good ones together', async () => {
    const rows = [
      OFFICIAL_HEADER,
      officialRow({ id_fs: '10', h_mardi: '09:00 - 12:00 / 09:00 - 16:30 / 14:00 - 16:30' }), // line 2: overlap merged
      officialRow({ id_fs: '11', format_fs: 'Soucoupe' }), // line 3: unknown enum
      officialRow({ id_fs: '10' }), // line 4: duplicate id_fs
      officialRow({ id_fs: '12', lib_fs: '<script>alert(1)</script>Maison <b>FS</b>' }), // line 5: markup stripped
      officialRow({ id_fs: '13', latitude: '', longitude: '' }), // line 6: no coordinates, accepted
      officialRow({ id_fs: '14', latitude: '-33.86', longitude: '151.2' }), // line 7: Sydney
      officialRow({ id_fs: '15', h_lundi: 'toute la journée' }), // line 8: unreadable hours
    ];
    const report = await runImportStructures(ctx, { file: file('dirty.csv', rows.join('\n')) });
    expect(report.created).toBe(4);
    expect(report.rejected.map((r) => [r.line, r.field])).toEqual(
      expect.arrayContaining([
        [3, 'format_fs'],
        [4, 'id_fs'],
        [8, 'h_lundi'],
      ]),
    );
    expect(report.warnings.map((w) => w.line)).toEqual(expect.arrayContaining([2, 5, 6, 7]));
    const byId = new Map((await listAllStructures(ctx.db)).map((s) => [s.idFs, s]));
    expect(byId.get('12')?.name).toBe('Maison FS');
    expect(byId.get('10')?.hours.days.mardi).toEqual([{ start: 540, end: 990 }]);
    expect(byId.get('14')).toMatchObject({ lat: null, lon: null });
    expect(byId.has('11')).toBe(false);
  });

  it('reads a Windows-1252 file with `;` separators, a BOM and decimal commas', async () => {
    const text = [
      OFFICIAL_HEADER.replace(/,/g, ';'),
      officialRow(
        { id_fs: '20', lib_fs: 'France services de Château-Thierry', latitude: '49,04', longitude: '3,40' },
        ';',
      ),
    ].join('\r\n');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(text, 'win1252')]);
    const report = await runImportStructures(ctx, { file: file('win.csv', bytes) });
    expect(report.created).toBe(1);
    const s = (await listAllStructures(ctx.db)).find((x) => x.idFs === '20');
    expect(s).toMatchObject({ name: 'France services de Château-Thierry', lat: 49.04, lon: 3.4 });
  });

  it('refuses a file that is not this format, and writes nothing', async () => {
    const before = (await listAllStructures(ctx.db)).length;
    const bad: Array<[string, string | Buffer]> = [
      ['empty.csv', ''],
      ['header.csv', 'nom,adresse\nGuise,1 place\n'],
      ['binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0xff, 0xfe, 0x00, 0x01])],
    ];
    for (const [name, content] of bad) {
      await expect(runImportStructures(ctx, { file: file(name, content) }), name).rejects.toBeInstanceOf(
        DomainError,
      );
    }
    await expect(runImportStructures(ctx, { file: join(dir, 'absent.csv') })).rejects.toThrow(
      'Fichier introuvable',
    );
    expect((await listAllStructures(ctx.db)).length).toBe(before);
  });

  it('--dry-run checks everything and writes nothing', async () => {
    const before = (await listAllStructures(ctx.db)).length;
    const report = await runImportStructures(ctx, {
      file: file('dry.csv', [OFFICIAL_HEADER, officialRow({ id_fs: '99' })].join('\n')),
      dryRun: true,
    });
    expect(report.created).toBe(1);
    expect((await listAllStructures(ctx.db)).length).toBe(before);
  });

  it('two imports running at once neither interleave nor lose rows', async () => {
    const a = file(
      'a.csv',
      [OFFICIAL_HEADER, ...['30', '31', '32'].map((id) => officialRow({ id_fs: id }))].join('\n'),
    );
    const b = file(
      'b.csv',
      [OFFICIAL_HEADER, ...['32', '33'].map((id) => officialRow({ id_fs: id, lib_fs: `B ${id}` }))].join(
        '\n',
      ),
    );
    const results = await Promise.allSettled([
      runImportStructures(ctx, { file: a }),
      runImportStructures(ctx, { file: b }),
    ]);
    const ids = new Set((await listAllStructures(ctx.db)).map((s) => s.idFs));
    // Either both commit (one after the other), or one fails cleanly on the shared id and rolls back whole.
    for (const [i, r] of results.entries()) {
      const wanted = i === 0 ? ['30', '31', '32'] : ['32', '33'];
      if (r.status === 'fulfilled') for (const id of wanted) expect(ids.has(id)).toBe(true);
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('exports the official CSV so that a re-import changes nothing', async () => {
    const out = join(dir, 'export.csv');
    await runExportStructures(ctx, 'csv', out);
    const report = await runImportStructures(ctx, { file: out });
    expect(report).toMatchObject({ created: 0, updated: 0, rejected: [] });
    expect(report.unchanged).toBe((await listAllStructures(ctx.db)).length);
  });
});

describe('the maillage command line', () => {
  const run = promisify(execFile);
  const env = {
    ...process.env,
    MAILLAGE_DATA_DIR: join(dir, 'cli-data'),
    LOG_LEVEL: 'silent',
    DATABASE_URL: '',
  };
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/maillage.js', ...args], { env, timeout: 120_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it('prints the JSON report with --json, and refuses a bad file with a non-zero exit and a French message', async () => {
    const good = file(
      'cli.csv',
      [OFFICIAL_HEADER, officialRow({ id_fs: '1' }), officialRow({ id_fs: '2', type_fs: 'Satellite' })].join(
        '\n',
      ),
    );
    const ok = await cli('import', 'structures', good, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: [{ line: 3, field: 'type_fs', message: expect.any(String) }],
      warnings: expect.any(Array),
    });
    const bad = await cli('import', 'structures', file('cli-bad.csv', 'a;b;c\n1;2;3\n'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/colonne|en-tête/i);
  }, 180_000);

  it('activity import reads the file in its worker thread, compiled (dist/) and from the sources (tsx)', async () => {
    const row = (id: string, idFs: string) =>
      [id, idFs, '2026-05-04T09:30:00+02:00', '20', 'guichet', 'caf', 'caf.rsa', 'resolu', '', '02691'].join(
        ',',
      );
    const { EXCHANGE_HEADER } = await import('../../src/domain/accompagnement/index.js');
    const activity = file(
      'activity.csv',
      [
        EXCHANGE_HEADER,
        row('6f1c2b1e-0000-4000-8000-000000000001', '1'),
        row('6f1c2b1e-0000-4000-8000-000000000002', 'inconnue'),
      ].join('\n'),
    );
    const compiled = await cli('activity', 'import', activity, '--json');
    expect(compiled.code).toBe(0);
    expect(JSON.parse(compiled.stdout)).toMatchObject({
      created: 1,
      rejected: [{ line: 3, field: 'id_fs' }],
    });
    const dev = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'activity', 'import', activity, '--json'],
      {
        env,
        timeout: 120_000,
      },
    );
    expect(JSON.parse(dev.stdout)).toMatchObject({ created: 0, unchanged: 1, rejected: [{ line: 3 }] });
  }, 240_000);
});

describe('import structures --from-datagouv (local stand-in for data.gouv.fr)', () => {
  it('takes the most recent CSV resource of the dataset, then imports it', async () => {
    const { createServer } = await import('node:http');
    const csv = [OFFICIAL_HEADER, officialRow({ id_fs: '501' })].join('\n');
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      if (req.url === '/api/1/datasets/liste-fs/') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            resources: [
              { format: 'csv', url: `${base}/old.csv`, last_modified: '2023-01-01T00:00:00' },
              { format: 'pdf', url: `${base}/doc.pdf`, last_modified: '2025-01-01T00:00:00' },
              { format: 'csv', url: `${base}/new.csv`, last_modified: '2024-08-01T00:00:00' },
            ],
          }),
        );
      } else if (req.url === '/new.csv') res.writeHead(200).end(csv);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const ctx = await buildTestContext({
      config: { datagouvUrl: `http://127.0.0.1:${port}`, datagouvDataset: 'liste-fs' },
    });
    try {
      const report = await runImportStructures(ctx, { fromDatagouv: true });
      expect(report.created).toBe(1);
      const missing = await buildTestContext({
        config: { datagouvUrl: `http://127.0.0.1:${port}`, datagouvDataset: 'nope' },
      });
      await expect(runImportStructures(missing, { fromDatagouv: true })).rejects.toThrow('404');
      await closeContext(missing);
    } finally {
      await closeContext(ctx);
      server.close();
    }
  });
});
