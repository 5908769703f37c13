/**
 * One entry of a ZIP archive, for the producers that publish a file only zipped (the ANCT's QPV 2024).
 * Reads the central directory, then inflates the one entry asked for, bounded in size (a zip bomb
 * stops at `maxBytes`) and checked against its CRC-32. Stored and deflated entries; no ZIP64.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export const isZip = (bytes: Uint8Array) =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

/** The entry whose path ends with `suffix` (case ignored), inflated; ZipError when absent or damaged. */
export function zipEntry(bytes: Uint8Array, suffix: string, maxBytes: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes, then a comment of at most 65,535 bytes.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError('archive ZIP illisible (fin de répertoire absente : fichier tronqué ?).');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names: string[] = [];
  const wanted = suffix.toLowerCase();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50)
      throw new ZipError('archive ZIP illisible (répertoire central abîmé).');
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    names.push(name);
    at += 46 + nameLength + extraLength + commentLength;
    if (!name.toLowerCase().endsWith(wanted)) continue;
    if (packed === 0xffffffff || size === 0xffffffff)
      throw new ZipError(`${name} : format ZIP64 non pris en charge.`);
    if (size > maxBytes)
      throw new ZipError(
        `${name} : ${size} octets une fois décompressé, au-delà de la limite de ${maxBytes}.`,
      );
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw new ZipError(`${name} : en-tête local absent (archive tronquée ?).`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + packed);
    if (data.length < packed) throw new ZipError(`${name} : données incomplètes (archive tronquée ?).`);
    let out: Uint8Array;
    if (method === 0) out = data;
    else if (method === 8) {
      try {
        out = inflateRawSync(data, { maxOutputLength: Math.max(size, 1) });
      } catch (e) {
        throw new ZipError(`${name} : décompression impossible (${e instanceof Error ? e.message : e}).`);
      }
    } else throw new ZipError(`${name} : méthode de compression ${method} non prise en charge.`);
    if (out.length !== size || crc32(out) !== crc)
      throw new ZipError(`${name} : contenu abîmé (taille ou somme de contrôle fausse).`);
    return out;
  }
  throw new ZipError(
    `pas de fichier « ${suffix} » dans l’archive (elle contient : ${names.slice(0, 10).join(', ') || 'rien'}).`,
  );
}
