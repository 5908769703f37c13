import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllStructures } from '../../../src/db/repositories/directory.repository.js';
import { Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { OFFICIAL_HEADER, officialRow } from '../../support/structures.js';

/** A browser's multipart upload of one file, with the CSRF token as the form's first field, as the form sends it. */
async function upload(client: Client, csrf: string | null, content: Buffer | string, filename = 'liste.csv') {
  const boundary = '----maillage-test-boundary';
  const tokenField =
    csrf === null ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`;
  const body = Buffer.concat([
    Buffer.from(tokenField),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await client.app.inject({
    method: 'POST',
    url: '/espace/import',
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: body,
    remoteAddress: client.ip,
  });
  return { status: res.statusCode, body: res.body };
}

const csv = (...rows: string[]) => [OFFICIAL_HEADER, ...rows].join('\n');

describe('importing the official list from the back office (/espace/import)', () => {
  let t: TestApp;
  let national: Client;
  let nationalEmail: string;
  beforeAll(async () => {
    t = await buildTestApp();
    nationalEmail = (await createUser(t.ctx, { role: 'national' })).email;
    national = new Client(t.app);
    await national.login(nationalEmail);
  });
  afterAll(async () => t?.close());

  it('only the national team sees it: others get the same 404 as for a missing page', async () => {
    for (const role of [
      'agent',
      'responsable',
      'animateur_departemental',
      'auditeur',
      'admin_technique',
    ] as const) {
      const user = await createUser(t.ctx, {
        role,
        departement: role === 'animateur_departemental' ? '02' : null,
      });
      const client = new Client(t.app);
      await client.login(user.email);
      expect((await client.get('/espace/import')).status, role).toBe(404);
      await client.get('/espace');
      expect((await upload(client, client.csrf, csv(officialRow({ id_fs: '1' })))).status, role).toBe(404);
      expect(await client.get('/espace')).toMatchObject({ status: 200 });
      expect((await client.get('/espace')).body).not.toContain('/espace/import');
    }
    const anonymous = new Client(t.app);
    expect((await anonymous.get('/espace/import')).status).toBe(303);
    expect(await listAllStructures(t.ctx.db)).toEqual([]);
  });

  it('upload → dry-run report with line numbers → confirm; the public locator has the data at once', async () => {
    const home = await national.get('/espace');
    expect(home.body).toContain('href="/espace/import"');
    const form = await national.get('/espace/import');
    expect(form.status).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');
    const preview = await upload(
      national,
      national.csrf,
      csv(
        officialRow({ id_fs: '1', lib_fs: 'France services de Guise' }),
        officialRow({ id_fs: '2', latitude: 'nord', longitude: '<script>alert(1)</script>' }),
        officialRow({ id_fs: '' }),
      ),
      'liste <officielle>.csv',
    );
    expect(preview.status, preview.body.slice(-3000)).toBe(200);
    expect(preview.body).toContain('Simulation');
    expect(preview.body).toMatch(/<strong>2<\/strong> structure\(s\) créée\(s\)/);
    expect(preview.body).toMatch(/<strong>1<\/strong> ligne\(s\) rejetée\(s\)/);
    // Line numbers of the file (the header is line 1): the warning on line 3, the rejection on line 4.
    expect(preview.body).toMatch(/Lignes rejetées[\s\S]*<td>4<\/td><td><code>id_fs<\/code>/);
    expect(preview.body).toMatch(/Avertissements[\s\S]*<td>3<\/td><td><code>latitude<\/code>/);
    expect(preview.body).not.toContain('<script>alert(1)');
    expect(preview.body).not.toContain('<officielle>');
    expect(await listAllStructures(t.ctx.db)).toEqual([]);

    const action = /action="(\/espace\/import\/[0-9a-f-]+\/confirmer)"/.exec(preview.body)?.[1];
    expect(action).toBeDefined();
    const done = await national.post(action as string, {});
    expect(done.status).toBe(200);
    expect(done.body).toContain('Import de « liste _officielle_.csv » effectué');
    expect((await listAllStructures(t.ctx.db)).map((s) => s.idFs).sort()).toEqual(['1', '2']);
    const nearest = await t.app.inject('/api/v1/structures/nearest?lat=49.9&lon=3.627&limit=5');
    // Structure 2 has no usable coordinates: the locator serves the located one.
    expect(nearest.json().items.map((i: { idFs: string }) => i.idFs)).toEqual(['1']);

    // At most once: the same confirmation again changes nothing and says why.
    const again = await national.post(action as string, {});
    expect(again.status).toBe(409);
    expect(again.body).toContain('n’attend plus de confirmation');
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'directory.import')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses without the CSRF token, and a confirmation without it, writing nothing', async () => {
    await national.get('/espace/import');
    const noToken = await upload(national, null, csv(officialRow({ id_fs: '9' })));
    expect(noToken.status).toBe(403);
    expect(noToken.body).toContain('Formulaire expiré');
    const preview = await upload(national, national.csrf, csv(officialRow({ id_fs: '9' })));
    const action = /action="(\/espace\/import\/[0-9a-f-]+\/confirmer)"/.exec(preview.body)?.[1] as string;
    const forged = await national.post(action, { _csrf: null });
    expect(forged.status).toBe(403);
    expect((await listAllStructures(t.ctx.db)).map((s) => s.idFs)).not.toContain('9');
  });

  it('a draft belongs to its uploader: another national administrator cannot confirm it', async () => {
    await national.get('/espace/import');
    const preview = await upload(national, national.csrf, csv(officialRow({ id_fs: '10' })));
    const action = /action="(\/espace\/import\/[0-9a-f-]+\/confirmer)"/.exec(preview.body)?.[1] as string;
    const other = new Client(t.app);
    await other.login((await createUser(t.ctx, { role: 'national' })).email);
    await other.get('/espace/import');
    expect((await other.post(action, {})).status).toBe(409);
    expect((await listAllStructures(t.ctx.db)).map((s) => s.idFs)).not.toContain('10');
  });

  it('answers hostile files and ids with a French page, never a 500', async () => {
    await national.get('/espace/import');
    const cases: Array<[string, Buffer | string]> = [
      ['vide', ''],
      ['binaire', Buffer.from([0, 159, 146, 150, 0, 0, 255, 254, 253])],
      ['pas le bon en-tête', 'nom;adresse\nx;y\n'],
      ['html', '<html><script>alert(1)</script></html>'],
    ];
    for (const [name, content] of cases) {
      const res = await upload(national, national.csrf, content);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(res.body, name).toContain('Le fichier n’a pas pu être lu');
      expect(res.body, name).not.toContain('<script>alert(1)');
    }
    const huge = await upload(national, national.csrf, Buffer.alloc(21 * 1024 * 1024, 'a'));
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('20 Mo au plus');
    for (const id of ['pas-un-uuid', '00000000-0000-0000-0000-000000000000', "'; drop table users; --"]) {
      const res = await national.post(`/espace/import/${encodeURIComponent(id)}/confirmer`, {});
      expect(res.status, id).toBe(409);
      expect(res.body).toContain('Import non effectué');
    }
    // Longer than any route parameter: refused by the router itself, still a 4xx.
    const tooLong = await national.post(`/espace/import/${'a'.repeat(300)}/confirmer`, {});
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).not.toMatch(/FST_ERR|stack/);
    const notMultipart = await national.post('/espace/import', { file: 'x' });
    expect(notMultipart.status).toBe(415);
  });
});
