import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublishReferentiel } from '../../../src/cli/commands/labelling.js';
import { REFERENTIEL_2025_06 } from '../../../src/domain/labelling/index.js';
import { Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { makeUser } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the référentiel is published by a decision, not on first read', () => {
  it('nothing is published by reading; campaigns and periodic audits are refused in French until the command runs', async () => {
    const labelling = t.ctx.labelling;
    expect(await labelling.referentiels.referentiels()).toEqual([]);
    // Reading twice, through the service and the pages, publishes nothing.
    const national = await createUser(t.ctx, { role: 'national' });
    const c = new Client(t.app);
    expect((await c.login(national.email)).status).toBe(303);
    expect((await c.get('/espace/labellisation')).status).toBe(200);
    expect((await c.get(`/espace/labellisation/referentiels/${REFERENTIEL_2025_06.version}`)).status).toBe(
      404,
    );
    expect(await labelling.referentiels.referentiels()).toEqual([]);

    const nation = await makeUser(t.ctx.db, 'national');
    await expect(
      labelling.campaigns.openCampaign(nation, {
        name: 'Campagne',
        opensOn: '2026-11-01',
        closesOn: '2027-03-31',
        departements: ['02'],
        referentielVersion: REFERENTIEL_2025_06.version,
      }),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(labelling.referentiels.latest()).rejects.toThrow(/Aucun référentiel n’est publié/);
  });

  it('the command publishes the shipped transcription once, says it must be checked, and a second run changes nothing', async () => {
    const first = await runPublishReferentiel(t.ctx);
    expect(first).toContain(
      `Référentiel ${REFERENTIEL_2025_06.version} publié (${REFERENTIEL_2025_06.criteria.length} critères)`,
    );
    expect(first).toMatch(/transcription .* vérifiez-le contre le texte officiel/);
    const published = await t.ctx.labelling.referentiels.referentiels();
    expect(published.map((r) => r.version)).toEqual([REFERENTIEL_2025_06.version]);
    expect(published[0]?.criteria).toEqual(REFERENTIEL_2025_06.criteria);

    expect(await runPublishReferentiel(t.ctx)).toBe(
      `Le référentiel ${REFERENTIEL_2025_06.version} est déjà publié : rien n’a changé.\n`,
    );
    expect(await t.ctx.labelling.referentiels.referentiels()).toHaveLength(1);
    expect((await t.ctx.labelling.referentiels.latest()).version).toBe(REFERENTIEL_2025_06.version);
  });
});
