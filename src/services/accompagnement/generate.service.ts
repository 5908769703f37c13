import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Db } from '../../db/database.js';
import { listAllStructures } from '../../db/repositories/directory.repository.js';
import { EXCHANGE_HEADER, generateRecords } from '../../domain/accompagnement/index.js';
import { isMobileFormat } from '../../domain/directory/structure.js';
import type { AccompagnementService } from './accompagnement.service.js';
import { SYNTHETIC_MARKER } from './import.service.js';

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Writes a synthetic exchange CSV from the directory's structures (their real opening hours), streamed
 * to the file with back-pressure. The first line marks it as synthetic; the importer reads past it and
 * warns.
 */
export async function generateActivityFile(
  db: Db,
  service: AccompagnementService,
  options: { records: number; year: number; seed: number; out: string; notAfter: Date },
): Promise<{ written: number; structures: number }> {
  const structures = (await listAllStructures(db))
    .filter((s) => s.status !== 'fermee_definitivement')
    .map((s) => ({
      idFs: s.idFs,
      communeInsee: s.codeInsee,
      mobile: isMobileFormat(s.format),
      hours: s.hours.days,
    }));
  if (structures.length === 0)
    throw new Error(
      'Aucune structure dans l’annuaire : importez d’abord la liste (npx maillage import structures).',
    );
  const catalogue = await service.activeDemarches();
  const out = createWriteStream(options.out);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(
    `${SYNTHETIC_MARKER} générées par « maillage activity generate » (graine ${options.seed}, ${options.year}) : ce ne sont pas des chiffres réels.\n`,
  );
  await write(`${EXCHANGE_HEADER}\n`);
  let written = 0;
  let chunk: string[] = [];
  for (const row of generateRecords(structures, catalogue, options)) {
    chunk.push(row.map(csvCell).join(','));
    written++;
    if (chunk.length >= 2000) {
      await write(`${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return { written, structures: structures.length };
}
