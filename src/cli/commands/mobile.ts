import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { ConfirmationRequired, MobileDocumentError } from '../../domain/mobile/index.js';
import { toParisIso } from '../../domain/shared/time.js';
import { type LoadReport, MobileService } from '../../services/mobile/mobile.service.js';
import { CliError, withContext } from '../context.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;
const CLI_ACTOR = { label: 'ligne de commande' };

export const mobileService = (ctx: AppContext) => new MobileService(ctx.db, ctx.clock);

/** `maillage mobile load <file.json> [--confirm]`: errors give the JSON path of each problem. */
export async function runMobileLoad(
  ctx: AppContext,
  file: string,
  options: { confirm?: boolean } = {},
): Promise<LoadReport> {
  const path = resolve(file);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new CliError(`Fichier introuvable : ${file}`);
  if (info.size > MAX_FILE_BYTES)
    throw new CliError(`Fichier trop gros (${Math.round(info.size / 1e6)} Mo ; 50 Mo au plus).`);
  let input: unknown;
  try {
    input = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CliError(
      `$ : le fichier n’est pas du JSON valide (${e instanceof Error ? e.message : String(e)}).`,
    );
  }
  try {
    return await mobileService(ctx).load(input, { confirm: options.confirm ?? false, actor: CLI_ACTOR });
  } catch (e) {
    if (e instanceof MobileDocumentError) {
      const lines = e.issues.map((i) => `  ${i.field} : ${i.message}`);
      throw new CliError(
        `Document refusé, rien n’a été chargé (${e.issues.length} erreur(s)) :\n${lines.join('\n')}`,
      );
    }
    if (e instanceof ConfirmationRequired) {
      const lines = e.confirmations.map((c) => `  ${c.field} : ${c.message}`);
      throw new CliError(
        `Confirmation nécessaire, rien n’a été chargé :\n${lines.join('\n')}\nVérifiez ces arrêts, puis relancez avec --confirm.`,
      );
    }
    throw e;
  }
}

export interface OccurrenceRow {
  entry: string;
  stop: string;
  commune: string;
  start: string;
  end: string;
  status: 'scheduled' | 'cancelled' | 'moved';
}

/** `maillage mobile occurrences --unit <id> --from --to [--json]`. */
export async function runMobileOccurrences(
  ctx: AppContext,
  args: { unit: string; from: string; to: string },
): Promise<OccurrenceRow[]> {
  const list = await mobileService(ctx).occurrences(args.unit, args.from, args.to);
  return list.map((o) => ({
    entry: o.entry,
    stop: o.stop,
    commune: o.commune,
    start: toParisIso(o.start),
    end: toParisIso(o.end),
    status: o.status,
  }));
}

const STATUS_FR = { scheduled: 'prévu', cancelled: 'annulé', moved: 'déplacé' } as const;

export function registerMobileCommands(program: Command): void {
  const mobile = program
    .command('mobile')
    .description('France Services mobiles : bus, arrêts, tournées, calendriers');
  mobile
    .command('load')
    .description(
      'Charger (ou remplacer) unités, arrêts, tournées et exceptions depuis un document JSON (docs/mobile-schema.md)',
    )
    .argument('<fichier>', 'document JSON')
    .option('--confirm', 'confirmer les arrêts à plus de 200 km de leur structure')
    .option('--json', 'rapport au format JSON')
    .action(async (file: string, opts: { confirm?: boolean; json?: boolean }) => {
      const r = await withContext((ctx) => runMobileLoad(ctx, file, { confirm: opts.confirm ?? false }));
      if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const lines = [
          `Chargé : ${r.units} unité(s), ${r.stops} arrêt(s), ${r.entries} entrée(s) de tournée, ${r.exceptions} exception(s).`,
        ];
        if (r.changedEntries.length)
          lines.push(`Entrées modifiées (SEQUENCE +1) : ${r.changedEntries.join(', ')}`);
        for (const c of r.confirmations) lines.push(`Confirmé : ${c.field} : ${c.message}`);
        for (const w of r.warnings) lines.push(`Attention : ${w}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    });
  mobile
    .command('occurrences')
    .description('Lister les passages d’une unité entre deux dates (heure de Paris)')
    .requiredOption('--unit <id>', 'identifiant de l’unité')
    .requiredOption('--from <AAAA-MM-JJ>', 'premier jour')
    .requiredOption('--to <AAAA-MM-JJ>', 'dernier jour')
    .option('--json', 'sortie JSON : [{entry, stop, commune, start, end, status}]')
    .action(async (opts: { unit: string; from: string; to: string; json?: boolean }) => {
      const rows = await withContext((ctx) => runMobileOccurrences(ctx, opts)).catch((e) => {
        if (e instanceof Error && 'field' in e && (e as { field?: string }).field) {
          const f = (e as { field: string }).field;
          throw new CliError(`--${f} : ${e.message}`);
        }
        throw e;
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        for (const r of rows) {
          process.stdout.write(
            `${r.start}  ${r.end.slice(11, 16)}  ${r.stop.padEnd(24)} ${r.commune}  ${STATUS_FR[r.status]}\n`,
          );
        }
        process.stdout.write(`${rows.length} passage(s).\n`);
      }
    });
}
