import { type Criterion, type GridEntry, VERDICT_LABELS } from '../../domain/labelling/index.js';

/**
 * PDF documents of the labellisation: the certificate and the audit report (pdfkit, built-in Helvetica).
 * pdfkit is loaded on the first document, not at the server's start (issue 16, item 3).
 */
async function collect(build: (doc: PDFKit.PDFDocument) => void, title: string): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      info: { Title: title, Author: 'Maillage — France Services' },
      lang: 'fr-FR',
    } as PDFKit.PDFDocumentOptions);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

const fr = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
};

export function certificatePdf(o: {
  structureName: string;
  idFs: string;
  commune: string;
  departement: string;
  labelledOn: string;
  campaign: string;
  referentiel: string;
}): Promise<Buffer> {
  return collect((doc) => {
    doc.fontSize(12).text('RÉPUBLIQUE FRANÇAISE', { align: 'center' });
    doc.moveDown(3);
    doc.fontSize(26).text('Certificat de labellisation', { align: 'center' });
    doc.fontSize(18).text('France Services', { align: 'center' });
    doc.moveDown(2);
    doc.fontSize(13).text('La structure', { align: 'center' });
    doc.fontSize(20).text(o.structureName, { align: 'center' });
    doc.fontSize(12).text(`${o.commune} (${o.departement}) — identifiant ${o.idFs}`, { align: 'center' });
    doc.moveDown(2);
    doc.fontSize(13).text(`est labellisée France Services le ${fr(o.labelledOn)},`, { align: 'center' });
    doc.text(`au titre de la campagne « ${o.campaign} », selon le référentiel ${o.referentiel}.`, {
      align: 'center',
    });
    doc.moveDown(4);
    doc
      .fontSize(10)
      .text(
        'Le label est maintenu sous réserve des audits périodiques prévus par la charte nationale d’engagement France Services.',
        { align: 'center' },
      );
  }, `Certificat de labellisation — ${o.structureName}`);
}

export function auditReportPdf(o: {
  structureName: string;
  kind: string;
  plannedOn: string;
  completedOn: string | null;
  outcome: string | null;
  referentiel: string;
  criteria: readonly Criterion[];
  entries: readonly GridEntry[];
  actions: readonly { code: string; description: string; due_on: string; closed_on: string | null }[];
}): Promise<Buffer> {
  const byCode = new Map(o.criteria.map((c) => [c.code, c]));
  return collect((doc) => {
    doc.fontSize(18).text(`Rapport d’audit — ${o.structureName}`);
    doc
      .fontSize(11)
      .text(
        `${o.kind} prévu le ${fr(o.plannedOn)}${o.completedOn ? `, terminé le ${fr(o.completedOn)}` : ''}. Référentiel ${o.referentiel}.`,
      );
    doc.text(
      `Résultat : ${o.outcome === 'conforme' ? 'conforme' : o.outcome === 'non_conforme' ? 'non conforme' : 'en cours'}.`,
    );
    doc.moveDown();
    for (const e of o.entries) {
      const c = byCode.get(e.code);
      doc
        .fontSize(11)
        .text(`${e.code} — ${c?.title ?? ''}${c?.mandatory ? ' (obligatoire)' : ''}`, { continued: false });
      doc
        .fontSize(10)
        .text(
          `Avis : ${e.verdict ? VERDICT_LABELS[e.verdict] : 'non renseigné'}${e.comment ? ` — ${e.comment}` : ''}`,
        );
      doc.moveDown(0.4);
    }
    if (o.actions.length > 0) {
      doc.moveDown().fontSize(14).text('Actions correctives');
      for (const a of o.actions) {
        doc
          .fontSize(10)
          .text(
            `${a.code} : ${a.description} — échéance ${fr(a.due_on)}${a.closed_on ? `, levée le ${fr(a.closed_on)}` : ', ouverte'}`,
          );
      }
    }
  }, `Rapport d’audit — ${o.structureName}`);
}
