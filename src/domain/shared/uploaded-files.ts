import { fileTypeFromBuffer } from 'file-type/core';
import { DomainError } from './errors.js';

/**
 * Uploaded documents (labellisation's pièces justificatives and audit photos, escalade attachments): PDF and images only, recognised by their
 * content (magic bytes), never by their name or the browser's declared type. A file whose name claims
 * another type than its content (a « .pdf » that is really a PNG or a program) is refused too.
 */
export const ALLOWED_TYPES = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/webp': ['webp'],
} as const satisfies Record<string, readonly string[]>;
export type AllowedMime = keyof typeof ALLOWED_TYPES;

export const DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const TYPE_NAMES: Record<string, string> = {
  'application/pdf': 'un PDF',
  'image/png': 'une image PNG',
  'image/jpeg': 'une image JPEG',
  'image/webp': 'une image WebP',
  'application/x-msdownload': 'un programme Windows',
  'application/x-elf': 'un programme exécutable',
  'application/x-mach-binary': 'un programme exécutable',
  'application/zip': 'une archive ZIP',
};

export interface CheckedDocument {
  readonly mime: AllowedMime;
  readonly extension: string;
  readonly size: number;
  /** A safe file name for display and download (no path, no control characters). */
  readonly name: string;
}

export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/["<>|:*?]/g, '')
    .split('')
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 120);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'document' : cleaned;
}

const sizeText = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} Mo`;

export function assertDocumentSize(
  size: number,
  maxBytes = DEFAULT_MAX_DOCUMENT_BYTES,
  field = 'document',
): void {
  if (size > maxBytes) {
    throw new DomainError(
      'too_large',
      `Fichier trop volumineux (${sizeText(size)}) : ${sizeText(maxBytes)} au plus.`,
      field,
    );
  }
}

/** Checks an uploaded file's content, size and name. Throws `too_large`, `unsupported` or `invalid`. */
export async function checkDocument(
  bytes: Uint8Array,
  declaredName: string,
  maxBytes = DEFAULT_MAX_DOCUMENT_BYTES,
  field = 'document',
): Promise<CheckedDocument> {
  const name = safeFileName(declaredName);
  if (bytes.byteLength === 0) throw new DomainError('invalid', `Le fichier « ${name} » est vide.`, field);
  assertDocumentSize(bytes.byteLength, maxBytes, field);
  const detected = await fileTypeFromBuffer(bytes);
  const allowed =
    detected && Object.hasOwn(ALLOWED_TYPES, detected.mime) ? (detected.mime as AllowedMime) : null;
  if (!allowed) {
    const what = detected
      ? (TYPE_NAMES[detected.mime] ?? `un fichier ${detected.ext.toUpperCase()}`)
      : 'un type inconnu';
    throw new DomainError(
      'unsupported',
      `Le fichier « ${name} » est ${what} : seuls les PDF et les images (PNG, JPEG, WebP) sont acceptés.`,
      field,
    );
  }
  const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  const expected: readonly string[] = ALLOWED_TYPES[allowed];
  if (extension && !expected.includes(extension)) {
    throw new DomainError(
      'unsupported',
      `Le fichier « ${name} » porte l’extension .${extension} mais son contenu est ${TYPE_NAMES[allowed]} : renommez-le ou déposez le bon fichier.`,
      field,
    );
  }
  return { mime: allowed, extension: expected[0] ?? extension, size: bytes.byteLength, name };
}
