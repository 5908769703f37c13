/**
 * One entry of a ZIP archive, for the producers that publish a file only zipped (the ANCT's QPV 2024),
 * read with fflate (already in the tree through pdfkit). The entry's announced size is checked before
 * it is inflated (a zip bomb stops at `maxBytes`: fflate inflates into a buffer of that size).
 */
import { unzipSync } from 'fflate';

export const isZip = (bytes: Uint8Array) =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

/** The entry whose path ends with `suffix` (case ignored), inflated; ZipError when absent or damaged. */
export function zipEntry(bytes: Uint8Array, suffix: string, maxBytes: number): Uint8Array {
  const wanted = suffix.toLowerCase();
  const names: string[] = [];
  let chosen: { name: string; size: number } | null = null;
  let tooBig: { name: string; size: number } | null = null;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        if (chosen || tooBig || !f.name.toLowerCase().endsWith(wanted)) return false;
        if (f.originalSize > maxBytes) {
          tooBig = { name: f.name, size: f.originalSize };
          return false;
        }
        chosen = { name: f.name, size: f.originalSize };
        return true;
      },
    });
  } catch (e) {
    throw new ZipError(
      `archive ZIP illisible ou abîmée (fichier tronqué ?) : ${e instanceof Error ? e.message : String(e)}.`,
    );
  }
  const big = tooBig as { name: string; size: number } | null;
  if (big)
    throw new ZipError(
      `${big.name} : ${big.size} octets une fois décompressé, au-delà de la limite de ${maxBytes}.`,
    );
  const entry = chosen as { name: string; size: number } | null;
  const out = entry ? files[entry.name] : undefined;
  if (!entry || !out)
    throw new ZipError(
      `pas de fichier « ${suffix} » dans l’archive (elle contient : ${names.slice(0, 10).join(', ') || 'rien'}).`,
    );
  // fflate does not check the CRC-32: a damaged stream fails to inflate or to reach its size, and the
  // converters then check every row of what it holds.
  if (out.length !== entry.size)
    throw new ZipError(`${entry.name} : contenu abîmé (${out.length} octets au lieu de ${entry.size}).`);
  return out;
}
