import { describe, expect, it } from 'vitest';
import { checkDocument, safeFileName } from './documents.js';

/** A real 1×1 PNG and a minimal PDF: literal bytes, detected by content. */
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  ),
);
const PDF = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const JPEG = Uint8Array.from([
  0xff,
  0xd8,
  0xff,
  0xe0,
  0x00,
  0x10,
  0x4a,
  0x46,
  0x49,
  0x46,
  0x00,
  0x01,
  ...new Array(20).fill(0),
]);
const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 0x03, ...new Array(200).fill(0)]);
const ELF = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, ...new Array(60).fill(0)]);

describe('document checks', () => {
  it('accepts PDF and images by content', async () => {
    expect(await checkDocument(PDF, 'convention.pdf')).toMatchObject({
      mime: 'application/pdf',
      extension: 'pdf',
      name: 'convention.pdf',
    });
    expect(await checkDocument(PNG, 'photo.png')).toMatchObject({ mime: 'image/png' });
    expect(await checkDocument(JPEG, 'photo.JPG')).toMatchObject({ mime: 'image/jpeg', extension: 'jpg' });
    expect(await checkDocument(PDF, 'sans-extension')).toMatchObject({ mime: 'application/pdf' });
  });

  it('refuses a .pdf that is really a PNG, with a message saying so', async () => {
    await expect(checkDocument(PNG, 'attestation.pdf')).rejects.toMatchObject({
      code: 'unsupported',
      message:
        'Le fichier « attestation.pdf » porte l’extension .pdf mais son contenu est une image PNG : renommez-le ou déposez le bon fichier.',
    });
  });

  it('refuses programs and unknown content whatever their name', async () => {
    await expect(checkDocument(EXE, 'attestation.pdf')).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('programme Windows'),
    });
    await expect(checkDocument(ELF, 'photo.png')).rejects.toMatchObject({ code: 'unsupported' });
    await expect(
      checkDocument(new TextEncoder().encode('<script>alert(1)</script>'), 'a.pdf'),
    ).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('type inconnu'),
    });
  });

  it('refuses empty and too-large files', async () => {
    await expect(checkDocument(new Uint8Array(0), 'a.pdf')).rejects.toMatchObject({ code: 'invalid' });
    const big = new Uint8Array(2048);
    big.set(PDF);
    await expect(checkDocument(big, 'a.pdf', 1024)).rejects.toMatchObject({ code: 'too_large' });
  });

  it('makes display names safe', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\x\\<rapport>\u0007.pdf')).toBe('rapport.pdf');
    expect(safeFileName('..')).toBe('document');
  });
});
