import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import {
  type CommunePoint,
  ConfirmationRequired,
  MobileDocumentError,
  type PublishedOccurrence,
  publishedOccurrence,
  type Reach,
} from '../../domain/mobile/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { type LoadReport, unitArea, unitPlan } from '../../services/mobile/mobile.service.js';
import { CliError, withContext } from '../context.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;
const CLI_ACTOR = { label: 'ligne de commande' };

export const mobileService = (ctx: AppContext) => ctx.mobile;

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

/** `maillage mobile occurrences --unit <id> --from --to [--json]`. */
export async function runMobileOccurrences(
  ctx: AppContext,
  args: { unit: string; from: string; to: string },
): Promise<PublishedOccurrence[]> {
  const list = await mobileService(ctx).occurrences(args.unit, args.from, args.to);
  return list.map(publishedOccurrence);
}

/** Current communes with a centroid (arrondissements left out: their city counts them). */
export function communePoints(ctx: AppContext): CommunePoint[] {
  const out: CommunePoint[] = [];
  for (const c of ctx.geography.communes.all()) {
    if (c.centroid && !c.parent)
      out.push({
        code: c.code,
        name: c.name,
        lat: c.centroid.lat,
        lon: c.centroid.lon,
        population: c.population,
      });
  }
  return out;
}

function reachOf(opts: { km?: string; minutes?: string }): Reach {
  const num = (v: string, arg: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
      throw new DomainError('invalid', `Nombre positif attendu, reçu « ${v} ».`, arg);
    return n;
  };
  if (opts.minutes !== undefined) return { maxMinutes: num(opts.minutes, '--minutes') };
  return { maxKm: num(opts.km ?? '10', '--km') };
}

/** `maillage mobile area --unit <id> [--km 10 | --minutes 20]`: communes within reach of a stop. */
export async function runMobileArea(ctx: AppContext, args: { unit: string; km?: string; minutes?: string }) {
  return unitArea(mobileService(ctx), args.unit, communePoints(ctx), reachOf(args));
}

/** `maillage mobile plan --unit <id> …`: a proposed tour over N weeks, compared with the current one. */
export async function runMobilePlan(
  ctx: AppContext,
  args: {
    unit: string;
    km?: string;
    minutes?: string;
    weeks: string;
    maxDriving: string;
    hoursOnSite: string;
    visitHours?: string;
    candidates?: string;
  },
) {
  const int = (v: string, arg: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new DomainError('invalid', `Nombre attendu, reçu « ${v} ».`, arg);
    return n;
  };
  let candidates: Array<{ id: string; lat: number; lon: number }> = [];
  if (args.candidates) {
    const raw = JSON.parse(await readFile(resolve(args.candidates), 'utf8')) as unknown;
    if (!Array.isArray(raw))
      throw new CliError('--candidates : une liste JSON [{id, lat, lon}] est attendue.');
    candidates = raw.map((c, i) => {
      const o = c as { id?: unknown; lat?: unknown; lon?: unknown };
      if (typeof o.id !== 'string' || typeof o.lat !== 'number' || typeof o.lon !== 'number') {
        throw new CliError(`--candidates [${i}] : {id: texte, lat: nombre, lon: nombre} attendu.`);
      }
      return { id: o.id, lat: o.lat, lon: o.lon };
    });
  }
  return unitPlan(
    mobileService(ctx),
    args.unit,
    communePoints(ctx),
    {
      reach: reachOf(args),
      weeks: int(args.weeks, '--weeks'),
      maxDrivingMinutes: int(args.maxDriving, '--max-driving'),
      hoursOnSite: int(args.hoursOnSite, '--hours-on-site'),
      ...(args.visitHours !== undefined ? { visitHours: int(args.visitHours, '--visit-hours') } : {}),
      candidates,
    },
    ctx.clock.now(),
  );
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
    .description('Lister les passages d’une unité entre deux dates (heures locales de chaque arrêt)')
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
  mobile
    .command('area')
    .description(
      'Communes desservies par une unité (à une distance ou un temps de route d’un de ses arrêts), avec leur population',
    )
    .requiredOption('--unit <id>', 'identifiant de l’unité')
    .option('--km <km>', 'distance à vol d’oiseau (défaut 10)')
    .option('--minutes <min>', 'temps de route estimé (distance × 1,3 à 60 km/h), à la place de --km')
    .option('--json', 'sortie JSON')
    .action(async (opts: { unit: string; km?: string; minutes?: string; json?: boolean }) => {
      const area = await withContext((ctx) => runMobileArea(ctx, opts));
      if (opts.json) process.stdout.write(`${JSON.stringify(area, null, 2)}\n`);
      else {
        for (const c of area.communes) {
          process.stdout.write(
            `${c.code}  ${c.name.padEnd(32)} ${String(c.population).padStart(7)} hab.  ${c.distanceKm} km de ${c.nearestStop}\n`,
          );
        }
        process.stdout.write(`${area.communes.length} commune(s), ${area.population} habitants.\n`);
      }
    });
  mobile
    .command('plan')
    .description(
      'Proposer une tournée sur N semaines qui maximise la population desservie, et la comparer à la tournée actuelle',
    )
    .requiredOption('--unit <id>', 'identifiant de l’unité')
    .requiredOption('--weeks <n>', 'chaque arrêt est visité au moins toutes les N semaines')
    .requiredOption('--max-driving <minutes>', 'temps de conduite par jour')
    .requiredOption('--hours-on-site <h>', 'heures sur place par jour')
    .option('--visit-hours <h>', 'durée d’une visite (défaut 3)')
    .option('--km <km>', 'portée d’un arrêt (défaut 10)')
    .option('--minutes <min>', 'portée en temps de route, à la place de --km')
    .option('--candidates <fichier.json>', 'arrêts candidats en plus de ceux de l’unité : [{id, lat, lon}]')
    .option('--json', 'sortie JSON')
    .action(
      async (opts: {
        unit: string;
        weeks: string;
        maxDriving: string;
        hoursOnSite: string;
        visitHours?: string;
        km?: string;
        minutes?: string;
        candidates?: string;
        json?: boolean;
      }) => {
        const r = await withContext((ctx) => runMobilePlan(ctx, opts));
        if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else {
          const DAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
          for (const d of r.plan.days) {
            process.stdout.write(
              `semaine ${d.week + 1}, ${DAYS[d.day]} : ${d.stops.join(' → ') || '—'} (${d.drivingMinutes} min de route, ${d.onSiteHours} h sur place)\n`,
            );
          }
          const c = r.comparison;
          process.stdout.write(
            `Population desservie : actuelle ${c.current.population}, proposée ${c.proposed.population} (${c.populationGain >= 0 ? '+' : ''}${c.populationGain}).\n` +
              `Route sur le cycle : actuelle ${c.current.totalDrivingMinutes} min, proposée ${c.proposed.totalDrivingMinutes} min. Jours hors limites dans la tournée actuelle : ${c.current.daysOverLimit}.\n`,
          );
        }
      },
    );
}
