import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDocument } from '../../../src/domain/mobile/fixtures.js';

export { sampleDocument };
export type MobileDoc = ReturnType<typeof sampleDocument>;

/** Writes a load document to a temporary file, as a person would pass it to the CLI. */
export function documentFile(doc: unknown, name = 'tournees.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'maillage-mobile-'));
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

/** Every text item of a PDF, page by page, read by pdf.js (legacy build, for Node). */
export async function pdfText(data: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(data),
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    parts.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
  }
  await doc.destroy();
  return parts.join('\n');
}
