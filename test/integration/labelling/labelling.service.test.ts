import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPrecheck, runPublishReferentiel } from '../../../src/cli/commands/labelling.js';
import type { AppContext } from '../../../src/composition.js';
import { closeContext } from '../../../src/composition.js';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import { structuresAuditedBy } from '../../../src/db/repositories/labelling.repository.js';
import { structureScope } from '../../../src/db/repositories/structure-scope.repository.js';
import type { Principal } from '../../../src/domain/accounts/index.js';
import { REFERENTIEL_2025_06 } from '../../../src/domain/labelling/index.js';
import type { Labelling } from '../../../src/services/labelling/index.js';
import { buildTestContext } from '../../support/app.js';
import { aStructure } from '../../support/structures.js';
import { completeContent, DOCUMENT_CODES, EXE, makeResponsable, makeUser, PDF, PNG } from './support.js';

let ctx: AppContext;
let service: Labelling;
let national: Principal;
let animateur: Principal;
let animateurSomme: Principal;
let porteur: Principal;
let autrePorteur: Principal;
let auditeur: Principal;
let autreAuditeur: Principal;
let campaignId: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'maillage-labelling-'));
  ctx = await buildTestContext({ config: { dataDir, uploadMaxBytes: 4096 } });
  service = ctx.labelling;
  await runPublishReferentiel(ctx);
  national = await makeUser(ctx.db, 'national');
  animateur = await makeUser(ctx.db, 'animateur_departemental', '02');
  animateurSomme = await makeUser(ctx.db, 'animateur_departemental', '80');
  porteur = await makeResponsable(ctx.db, '02');
  autrePorteur = await makeResponsable(ctx.db, '02');
  auditeur = await makeUser(ctx.db, 'auditeur');
  autreAuditeur = await makeUser(ctx.db, 'auditeur');
  const c = await service.campaigns.openCampaign(national, {
    name: 'Campagne 2026-2027',
    opensOn: '2026-11-01',
    closesOn: '2027-03-31',
    departements: ['02', '80'],
    referentielVersion: '2025-06',
  });
  campaignId = c.id;
});
afterAll(async () => {
  await closeContext(ctx);
});

async function filedApplication(content = completeContent()) {
  const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
  const saved = await service.applications.saveContent(porteur, a.id, content, a.version);
  for (const code of DOCUMENT_CODES)
    await service.applications.uploadDocument(porteur, a.id, code, PDF, `${code}.pdf`);
  return service.transitions.transition(porteur, saved.id, 'deposer');
}

describe('labellisation, from filing to the directory', () => {
  it('walks the whole path: filing, recevable, audit with a non-conformity, contre-visite, proposal, labellisation', async () => {
    // Finding 2 (issue 9): the application names the id_fs of a structure of another department.
    await insertStructures(ctx.db, [
      aStructure({ idFs: '2125', name: 'France services Abscon', departement: '59', codeInsee: '59002' }),
    ]);
    const filed = await filedApplication(completeContent({ idFs: '2125' }));
    expect(filed.state).toBe('deposee');
    await service.transitions.transition(animateur, filed.id, 'declarer_recevable');
    await expect(
      service.transitions.transition(animateur, filed.id, 'planifier_audit', {
        auditorUserId: auditeur.id,
        auditDate: '2026-12-01',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const planned = await service.transitions.transition(national, filed.id, 'planifier_audit', {
      auditorUserId: auditeur.id,
      auditDate: '2026-12-01',
    });
    expect(planned).toMatchObject({ state: 'audit_planifie', auditorUserId: auditeur.id });

    const [audit] = await service.audits.auditsOf(auditeur);
    expect(audit?.kind).toBe('initial');
    if (!audit) return;
    // another auditor sees nothing
    await expect(service.audits.audit(autreAuditeur, audit.id)).rejects.toMatchObject({ code: 'not_found' });
    const criteria = await service.audits.auditCriteria(audit);
    expect(criteria.map((c) => c.code)).not.toContain('OUV-04');
    // a grid missing mandatory verdicts cannot be submitted
    await service.audits.saveGrid(auditeur, audit.id, [{ code: 'ACC-01', verdict: 'conforme' }], 0);
    await expect(service.transitions.transition(auditeur, filed.id, 'terminer_audit')).rejects.toThrow(
      /Grille incomplète : ACC-02 \(obligatoire\)/,
    );
    const full = criteria.map((c) =>
      c.code === 'LOC-01'
        ? { code: c.code, verdict: 'non_conforme', comment: 'Pas de bureau fermé pour les entretiens' }
        : { code: c.code, verdict: 'conforme' },
    );
    await service.audits.saveGrid(auditeur, audit.id, full, 1);
    // a concurrent save at the old version is refused, not merged
    await expect(
      service.audits.saveGrid(auditeur, audit.id, [{ code: 'LOC-01', verdict: 'conforme' }], 1),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    await service.transitions.transition(auditeur, filed.id, 'terminer_audit');
    await expect(service.transitions.transition(auditeur, filed.id, 'declarer_conforme')).rejects.toThrow(
      /1 non-conformité/,
    );
    await service.transitions.transition(auditeur, filed.id, 'declarer_non_conforme', {
      reason: 'LOC-01 non conforme',
    });
    const follow = await service.applications.followUp(porteur, filed.id);
    expect(follow.actions).toMatchObject([{ code: 'LOC-01', due_on: '2027-01-23', closed_on: null }]);

    await service.transitions.transition(national, filed.id, 'planifier_contre_visite', {
      auditorUserId: auditeur.id,
      auditDate: '2027-01-15',
    });
    const cv = (await service.audits.auditsOf(auditeur)).find((x) => x.kind === 'contre_visite');
    expect(cv?.grid.map((e) => e.code)).toEqual(['LOC-01']);
    if (!cv) return;
    await service.audits.saveGrid(
      auditeur,
      cv.id,
      [{ code: 'LOC-01', verdict: 'conforme', comment: 'Bureau cloisonné' }],
      0,
    );
    await service.transitions.transition(auditeur, filed.id, 'terminer_audit');
    await service.transitions.transition(auditeur, filed.id, 'declarer_conforme');
    expect((await service.applications.followUp(porteur, filed.id)).actions[0]?.closed_on).toBe('2026-11-24');

    await expect(service.transitions.transition(animateurSomme, filed.id, 'proposer')).rejects.toMatchObject({
      code: 'not_found',
    });
    await service.transitions.transition(animateur, filed.id, 'proposer');
    const labelled = await service.transitions.transition(national, filed.id, 'labelliser');
    expect(labelled).toMatchObject({ state: 'labellisee', labelledOn: '2026-11-24' });
    const s = await ctx.db
      .selectFrom('structures')
      .selectAll()
      .where('id', '=', labelled.structureId as string)
      .executeTakeFirstOrThrow();
    expect(s).toMatchObject({
      name: 'France Services de Guise',
      departement: '02',
      labelled_on: '2026-11-24',
      status: 'ouverte',
    });
    // Finding 2: a new structure with its own identifier; Abscon (59) is untouched.
    expect(s.id_fs).toMatch(/^FS-2026-[0-9a-f]{8}$/);
    const abscon = await ctx.db
      .selectFrom('structures')
      .selectAll()
      .where('id_fs', '=', '2125')
      .executeTakeFirstOrThrow();
    expect(abscon).toMatchObject({
      name: 'France services Abscon',
      departement: '59',
      labelled_on: '2020-01-01',
    });

    const history = (await service.applications.followUp(porteur, filed.id)).transitions.map((t) => [
      t.action,
      t.by_role,
    ]);
    expect(history).toEqual([
      ['deposer', 'responsable'],
      ['declarer_recevable', 'animateur_departemental'],
      ['planifier_audit', 'national'],
      ['terminer_audit', 'auditeur'],
      ['declarer_non_conforme', 'auditeur'],
      ['planifier_contre_visite', 'national'],
      ['terminer_audit', 'auditeur'],
      ['declarer_conforme', 'auditeur'],
      ['proposer', 'animateur_departemental'],
      ['labelliser', 'national'],
    ]);

    // the generic audit log has every step, and the structure's creation by labellisation
    const log = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'entity'])
      .where('entity_id', 'in', [filed.id, s.id])
      .orderBy('id')
      .execute();
    expect(log.filter((l) => l.entity === 'labelling_application').map((l) => l.action)).toEqual(
      history.map(([a]) => `labelling.${a}`),
    );
    expect(log.filter((l) => l.entity === 'structure')).toEqual([
      { action: 'labelling.labelliser', entity: 'structure' },
    ]);

    // the pre-checks of the directory now see it, with the application's agents and référents
    const [report] = await runPrecheck(ctx, { structure: s.id_fs });
    expect(report).toMatchObject({ idFs: s.id_fs, weeklyHours: 29, openDays: 5 });
    expect(report?.criteria.every((c) => c.status === 'ok')).toBe(true);

    // periodic audit: due, then failed, then the label is withdrawn
    await expect(
      service.transitions.transition(national, filed.id, 'retirer_label', { reason: 'x' }),
    ).rejects.toThrow(/audit périodique/);
    const periodic = await service.audits.schedulePeriodicAudit(national, s.id, auditeur.id, '2029-11-01');
    await service.audits.saveGrid(
      auditeur,
      periodic.id,
      criteria.map((c) => ({
        code: c.code,
        verdict: c.code === 'PER-03' ? 'non_conforme' : 'conforme',
        comment: 'Un seul agent présent',
      })),
      0,
    );
    expect(await service.audits.completePeriodicAudit(auditeur, periodic.id)).toBe('non_conforme');
    // the accounts `assigned` scope, in SQL: the auditor sees this structure, the other auditor nothing
    const visible = async (who: Principal) =>
      (
        await ctx.db
          .selectFrom('structures')
          .select('id')
          .where(structureScope(who, 'structure.read_private', { assigned: structuresAuditedBy }))
          .execute()
      ).map((r) => r.id);
    expect(await visible(auditeur)).toEqual([s.id]);
    expect(await visible(autreAuditeur)).toEqual([]);
    const withdrawn = await service.transitions.transition(national, filed.id, 'retirer_label', {
      reason: 'Audit périodique non conforme',
    });
    expect(withdrawn.state).toBe('label_retire');
    const after = await ctx.db
      .selectFrom('structures')
      .select('status')
      .where('id', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('fermee_definitivement');
  });
});

describe('bad input', () => {
  it('refuses to file an incomplete application and lists what is missing', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    await expect(service.transitions.transition(porteur, a.id, 'deposer')).rejects.toThrow(
      /Candidature incomplète : le type de porteur/,
    );
    const f = await service.applications.followUp(porteur, a.id);
    expect(f.missing).toContain(
      'la pièce justificative LOC-02 (Accessibilité aux personnes à mobilité réduite (attestation ou dérogation))',
    );
    expect(f.available).toEqual(['deposer']); // offered, and refused with the list above until complete
  });

  it('refuses wrong-type and too-large uploads, and stores nothing', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    const before = await readdir(service.documents.root).catch(() => []);
    await expect(
      service.applications.uploadDocument(porteur, a.id, 'LOC-02', PNG, 'attestation.pdf'),
    ).rejects.toMatchObject({ code: 'unsupported' });
    await expect(
      service.applications.uploadDocument(porteur, a.id, 'LOC-02', EXE, 'attestation.pdf'),
    ).rejects.toMatchObject({ code: 'unsupported' });
    await expect(
      service.applications.uploadDocument(porteur, a.id, 'LOC-02', Buffer.alloc(5000, 0x25), 'gros.pdf'),
    ).rejects.toMatchObject({ code: 'too_large' });
    expect(await readdir(service.documents.root).catch(() => [])).toEqual(before);
    expect(await service.applications.documentsOf(a.id)).toEqual([]);
  });

  it('serves documents only to those who may read the application', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    const doc = await service.applications.uploadDocument(porteur, a.id, 'LOC-02', PDF, 'accessibilite.pdf');
    expect((await service.applications.document(porteur, doc.id)).bytes.subarray(0, 5).toString()).toBe(
      '%PDF-',
    );
    expect((await service.applications.document(animateur, doc.id)).row.name).toBe('accessibilite.pdf');
    expect((await service.applications.document(national, doc.id)).row.mime).toBe('application/pdf');
    for (const who of [autrePorteur, animateurSomme, auditeur]) {
      await expect(service.applications.document(who, doc.id)).rejects.toMatchObject({ code: 'not_found' });
    }
    // stored outside any web root, under the data folder, named by id
    expect(service.documents.root.startsWith(dataDir)).toBe(true);
    expect(await readdir(service.documents.root)).toContain(doc.id);
  });

  it('another porteur cannot edit or file someone else’s application', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    await expect(
      service.applications.saveContent(autrePorteur, a.id, completeContent(), a.version),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.transitions.transition(autrePorteur, a.id, 'deposer')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a stale edit of the application is a conflict', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    await service.applications.saveContent(porteur, a.id, completeContent(), a.version);
    await expect(
      service.applications.saveContent(porteur, a.id, completeContent({ porteurName: 'Autre' }), a.version),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('refuses a campaign outside its departments, and closing a campaign with open applications', async () => {
    await expect(
      service.applications.createApplication(porteur, campaignId, { departement: '75' }),
    ).rejects.toThrow(/ne couvre pas le département 75/);
    await expect(service.campaigns.closeCampaign(national, campaignId)).rejects.toThrow(/encore en cours/);
    await expect(service.campaigns.closeCampaign(animateur, campaignId)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('keeps text as typed (escaping is the views’ job) and refuses illegal jumps in French', async () => {
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    const saved = await service.applications.saveContent(
      porteur,
      a.id,
      completeContent({ porteurName: '<script>alert(1)</script>' }),
      a.version,
    );
    expect(saved.content.porteurName).toBe('<script>alert(1)</script>');
    await expect(service.transitions.transition(national, a.id, 'labelliser')).rejects.toThrow(
      'Action « Labelliser » impossible : la candidature est « Brouillon » (possible seulement depuis « Proposée par le préfet »).',
    );
  });

  it('publishes a new référentiel version; campaigns keep theirs; a version cannot be republished', async () => {
    const draft = {
      ...REFERENTIEL_2025_06,
      version: '2027-01',
      criteria: REFERENTIEL_2025_06.criteria.slice(0, 10),
    };
    await expect(service.referentiels.publishReferentiel(animateur, draft)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await service.referentiels.publishReferentiel(national, draft);
    await expect(service.referentiels.publishReferentiel(national, draft)).rejects.toThrow(/déjà publiée/);
    expect((await service.campaigns.campaign(campaignId)).referentielVersion).toBe('2025-06');
    // the database refuses changes to a published version too
    await expect(
      ctx.db.updateTable('referentiels').set({ title: 'x' }).where('version', '=', '2025-06').execute(),
    ).rejects.toThrow();
  });

  it('pipeline counts per department and state, scoped; CSV neutralises formulas', async () => {
    const p = await service.monitoring.pipeline(animateur, campaignId, { departement: '80' });
    expect(p.departement).toBe('02'); // an animateur sees only their department
    expect(p.counts.every((c) => c.departement === '02')).toBe(true);
    const a = await service.applications.createApplication(porteur, campaignId, { departement: '02' });
    await service.applications.saveContent(
      porteur,
      a.id,
      completeContent({ structureName: '=HYPERLINK("http://x")' }),
      a.version,
    );
    const csv = await service.monitoring.pipelineCsv(national, campaignId, { state: 'brouillon' });
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFF"departement";"etat";"candidature";"structure";"porteur";"commune";"format";"mise_a_jour"',
    );
    await expect(service.monitoring.pipeline(porteur, campaignId)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
