import { existsSync } from 'node:fs';
import type { Occurrence, Stop } from '../../domain/mobile/index.js';
import { timeZoneOf } from '../../domain/shared/time-zone.js';
import { frenchDay, frenchSlot, passageDay } from '../../web/views/mobile/mobile.view.js';

/**
 * The A4 poster for a mairie's notice board: the next three months of passages in a commune,
 * big type, and a QR code to the commune's page. Text is drawn as text (never interpreted), so a
 * name such as `<script>` prints as those characters. DejaVu Sans is used when installed (every
 * character prints); otherwise the standard Helvetica.
 */
const FONT = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

export interface PosterInput {
  readonly communeName: string;
  readonly communeCode: string;
  readonly pageUrl: string;
  readonly passages: readonly Occurrence[];
  readonly stops: ReadonlyMap<string, Stop>;
  readonly generatedOn: Date;
  readonly unitNames: readonly string[];
}

export async function posterPdf(p: PosterInput): Promise<Buffer> {
  // Loaded on the first poster, not at the server's start (issue 16, item 3).
  const [{ default: PDFDocument }, { default: QRCode }] = await Promise.all([
    import('pdfkit'),
    import('qrcode'),
  ]);
  const qr = await QRCode.toBuffer(p.pageUrl, {
    type: 'png',
    margin: 1,
    width: 300,
    errorCorrectionLevel: 'M',
  });
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 48,
      info: { Title: `Bus France Services — ${p.communeName}`, Author: 'Maillage — France Services' },
      lang: 'fr-FR',
    } as PDFKit.PDFDocumentOptions);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const [regular, bold] = FONT.every(existsSync)
      ? (FONT as [string, string])
      : ['Helvetica', 'Helvetica-Bold'];
    const width = doc.page.width - 96;

    doc.font(bold).fontSize(12).fillColor('#000091').text('RÉPUBLIQUE FRANÇAISE', { align: 'left' });
    doc.moveDown(0.6);
    doc.font(bold).fontSize(30).fillColor('#000000').text('Le bus France Services', { width });
    doc.font(bold).fontSize(30).text(`passe à ${p.communeName}`, { width });
    doc.moveDown(0.4);
    doc
      .font(regular)
      .fontSize(14)
      .text('Aide gratuite pour vos démarches : CAF, impôts, retraite, santé, emploi, papiers…', { width });
    doc.moveDown(0.8);

    const shown = p.passages.slice(0, 18);
    const size = shown.length <= 8 ? 18 : shown.length <= 12 ? 15 : 12;
    if (shown.length === 0) {
      doc
        .font(regular)
        .fontSize(18)
        .text('Aucun passage n’est programmé pour les trois prochains mois.', { width });
    }
    for (const o of shown) {
      const stop = p.stops.get(o.stop);
      const date = passageDay(o);
      const when = `${date.charAt(0).toUpperCase()}${date.slice(1)}, ${frenchSlot(o)}`;
      const where = stop ? ` — ${stop.name}` : '';
      if (o.status === 'cancelled') {
        doc
          .font(bold)
          .fontSize(size)
          .fillColor('#ce0500')
          .text(`ANNULÉ : ${when}${where}${o.reason ? ` (${o.reason})` : ''}`, { width });
      } else {
        doc.font(bold).fontSize(size).fillColor('#000000').text(when, { width, continued: true });
        doc.font(regular).fillColor('#3a3a3a').text(where, { width });
      }
      doc.moveDown(0.2);
    }
    if (p.passages.length > shown.length) {
      doc
        .font(regular)
        .fontSize(12)
        .fillColor('#000000')
        .text(`… et ${p.passages.length - shown.length} autres passages : voir la page.`);
    }

    const qrSize = 120;
    const y = doc.page.height - 48 - qrSize;
    doc.image(qr, doc.page.width - 48 - qrSize, y, { width: qrSize, height: qrSize });
    doc
      .font(regular)
      .fontSize(11)
      .fillColor('#000000')
      .text('Tous les passages, les annulations et le calendrier à ajouter à votre agenda :', 48, y + 10, {
        width: width - qrSize - 16,
      })
      .font(bold)
      .text(p.pageUrl, { width: width - qrSize - 16 })
      .font(regular)
      .fontSize(9)
      .fillColor('#666666')
      .text(
        `${p.unitNames.join(', ')} — affiche éditée le ${frenchDay(p.generatedOn, timeZoneOf(p.communeCode))} ; les horaires peuvent changer, vérifiez sur la page.`,
        { width: width - qrSize - 16 },
      );
    doc.end();
  });
}
