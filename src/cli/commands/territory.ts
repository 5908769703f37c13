import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { AppContext } from '../../composition.js';
import { DomainError } from '../../domain/shared/errors.js';
import {
  type CoverageIndicators,
  type PlanRequest,
  type PlanResult,
  travelModelFromString,
  type WhatIfChange,
} from '../../domain/territory/index.js';
import {
  folderIssues,
  REFERENCE_FILES,
  readReferenceFolder,
} from '../../services/territory/reference-folder.js';
import type { RefLoadReport } from '../../services/territory/territory.service.js';
import { CliError, withContext } from '../context.js';

/** Domain field → the CLI argument a person typed. */
const ARG: Record<string, string> = {
  territory: '--territory',
  k: '--k',
  minutes: '--minutes',
  radiusKm: '--radius-km',
  minPopulation: '--min-population',
  exact: '--exact',
  travel: '--osrm',
  code: '--add/--to',
  id: '--remove/--move',
};

async function asCli<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DomainError && e.field && ARG[e.field])
      throw new DomainError(e.code, e.message, ARG[e.field]);
    throw e;
  }
}

function number(value: string | undefined, arg: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new DomainError('invalid', `${integer ? 'Entier' : 'Nombre'} attendu, reçu « ${value} ».`, arg);
  }
  return n;
}

// ---- ref load / ref sync ----

export async function runRefLoad(ctx: AppContext, dir: string): Promise<RefLoadReport> {
  return ctx.territory.loadFolder(resolve(dir));
}

export function formatRefLoad(r: RefLoadReport): string {
  const lines = r.files.map(
    (f) => `  ${f.file.padEnd(24)} ${String(f.rows).padStart(6)} lignes  (${f.vintage})`,
  );
  if (r.loaded) return [`Référentiel chargé en ${(r.ms / 1000).toFixed(1)} s :`, ...lines].join('\n');
  const shown = r.issues.slice(0, 50).map((i) => `  ${i.file}, ligne ${i.line} [${i.field}] ${i.message}`);
  if (r.issues.length > 50) shown.push(`  … et ${r.issues.length - 50} autres (--json pour tout voir).`);
  return [`${r.issues.length} ligne(s) invalide(s) : rien n’a été chargé.`, ...shown].join('\n');
}

/**
 * Where each reference file comes from. Only departements.geojson is published by its producer in
 * exactly the reference format; the others are cleaned from INSEE/ANCT publications (see
 * ../shared/data/SOURCES.md) and are fetched from a mirror given with --from.
 */
export const OFFICIAL_SOURCES: Record<string, string | null> = {
  'departements.geojson':
    'https://raw.githubusercontent.com/anct-carto/france_services/main/data/geom_dep.geojson',
  'communes-centroids.csv': null,
  'communes-cantons.csv': null,
  'cantons.csv': null,
  'grille-densite.csv': null,
  'zrr.csv': null,
  'qpv.csv': null,
  'qpv-communes.csv': null,
};

export interface SyncArgs {
  readonly out: string;
  readonly from?: string | undefined;
  readonly progress?: boolean;
  readonly fetchImpl?: typeof fetch;
}

export async function runRefSync(args: SyncArgs): Promise<{ downloaded: string[]; missing: string[] }> {
  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  const f = args.fetchImpl ?? fetch;
  const downloaded: string[] = [];
  const missing: string[] = [];
  for (const name of Object.values(REFERENCE_FILES)) {
    const url = args.from ? `${args.from.replace(/\/$/, '')}/${name}` : OFFICIAL_SOURCES[name];
    if (!url) {
      missing.push(name);
      continue;
    }
    const response = await f(url, { signal: AbortSignal.timeout(120_000) }).catch((e) => {
      throw new CliError(`Téléchargement impossible (${url}) : ${e instanceof Error ? e.message : e}`);
    });
    if (!response.ok || !response.body) throw new CliError(`${url} a répondu ${response.status}.`);
    const total = Number(response.headers.get('content-length') ?? 0);
    const bar = args.progress
      ? new SingleBar({
          format: `${name.padEnd(24)} {bar} {percentage} % · {value}/{total} octets`,
          hideCursor: true,
        })
      : null;
    bar?.start(total || 1, 0);
    let done = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        done += chunk.length;
        bar?.update(total ? done : 0);
        cb(null, chunk);
      },
    });
    const tmp = join(out, `.${name}.part`);
    try {
      await pipeline(Readable.fromWeb(response.body as never), count, createWriteStream(tmp));
    } finally {
      bar?.stop();
    }
    await rename(tmp, join(out, name));
    downloaded.push(name);
  }
  return { downloaded, missing };
}

// ---- coverage / plan / what-if ----

export interface CoverageArgs {
  readonly territory?: string;
  /** Road times from the OSRM server (MAILLAGE_OSRM_URL) instead of the estimate. */
  readonly osrm?: boolean;
  /** Travel-model overrides, `classe:détour:vitesse,…` (e.g. `7:1.5:50`). */
  readonly travel?: string;
}

export async function runCoverage(ctx: AppContext, args: CoverageArgs): Promise<CoverageIndicators> {
  return asCli(() =>
    ctx.territory.coverage(args.territory, {
      travel: args.osrm ? 'osrm' : 'estimate',
      model: args.travel ? travelModelFromString(args.travel, '--travel') : undefined,
    }),
  );
}

const pct = (x: number, total: number) => (total ? `${((x / total) * 100).toFixed(1)} %` : '—');

export function formatCoverage(c: CoverageIndicators): string {
  return [
    `Territoire ${c.territory}`,
    `  Structures : ${c.structures.total} (${c.structures.fixed} fixes, ${c.structures.antennes} antennes, ${c.structures.mobile} itinérantes)`,
    `  Cantons couverts : ${c.cantons.covered} / ${c.cantons.total}`,
    `  Part en commune rurale : ${(c.share.rural * 100).toFixed(1)} % · en ZRR : ${(c.share.zrr * 100).toFixed(1)} %`,
    `  QPV avec une structure : ${c.qpv.covered} / ${c.qpv.total}`,
    `  Population à 10 / 20 / 30 min : ${pct(c.population.within10, c.population.total)} / ${pct(c.population.within20, c.population.total)} / ${pct(c.population.within30, c.population.total)} de ${c.population.total.toLocaleString('fr-FR')} hab.`,
    `  Distance pondérée : moyenne ${c.distanceKm.mean} km, 95e centile ${c.distanceKm.p95} km`,
  ].join('\n');
}

export interface PlanArgs {
  readonly territory?: string;
  readonly k?: string;
  readonly minutes?: string;
  readonly radiusKm?: string;
  readonly minPopulation?: string;
  readonly candidates?: string;
  readonly exact?: boolean;
  /** Travel-model overrides, `classe:détour:vitesse,…`. */
  readonly travel?: string;
}

export function planRequest(args: PlanArgs): PlanRequest {
  if (args.k === undefined)
    throw new DomainError('invalid', 'Indiquez le nombre de sites à proposer.', '--k');
  const k = number(args.k, '--k', true) as number;
  const minutes = number(args.minutes, '--minutes');
  const radiusKm = number(args.radiusKm, '--radius-km');
  const minPopulation = number(args.minPopulation, '--min-population');
  let candidates: PlanRequest['candidates'];
  let candidateSet: PlanRequest['candidateSet'];
  if (args.candidates === 'bureaux') candidateSet = 'bureaux';
  else if (args.candidates)
    candidates = args.candidates
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  return {
    k,
    minutes: minutes === undefined && radiusKm === undefined ? 20 : minutes,
    radiusKm,
    minPopulation,
    candidates,
    candidateSet,
    exact: !!args.exact,
  };
}

export async function runPlan(ctx: AppContext, args: PlanArgs): Promise<PlanResult> {
  return asCli(async () =>
    ctx.territory.plan(
      args.territory,
      planRequest(args),
      args.travel ? travelModelFromString(args.travel, '--travel') : undefined,
    ),
  );
}

export function formatPlan(p: PlanResult): string {
  const lines = p.sites.map(
    (s, i) =>
      `  ${String(i + 1).padStart(3)}. ${s.name} (${s.code}) : +${s.addedPopulation.toLocaleString('fr-FR')} hab.`,
  );
  const exact =
    p.exactOptimum !== undefined
      ? ` · optimum exact ${p.exactOptimum.toLocaleString('fr-FR')} (écart ${((p.gap ?? 0) * 100).toFixed(2)} %)`
      : '';
  return [
    `Population nouvellement atteinte : ${p.addedPopulation.toLocaleString('fr-FR')} hab.${exact} · ${p.ms} ms`,
    ...lines,
  ].join('\n');
}

export interface WhatIfArgs {
  readonly territory?: string;
  readonly add?: string;
  readonly remove?: string;
  readonly move?: string;
  readonly to?: string;
}

export function whatIfChange(a: WhatIfArgs): WhatIfChange {
  const n = [a.add, a.remove, a.move].filter((x) => x !== undefined).length;
  if (n !== 1)
    throw new DomainError(
      'invalid',
      'Donnez exactement une hypothèse : --add, --remove ou --move.',
      '--add/--remove/--move',
    );
  if (a.add) return { action: 'add', code: a.add };
  if (a.remove) return { action: 'remove', id: a.remove };
  if (!a.to) throw new DomainError('invalid', 'Avec --move, donnez la commune d’arrivée (--to).', '--to');
  return { action: 'move', id: a.move as string, code: a.to };
}

export async function runWhatIf(ctx: AppContext, args: WhatIfArgs) {
  return asCli(async () => ctx.territory.whatIf(args.territory, whatIfChange(args)));
}

export function registerTerritoryCommands(program: Command): void {
  const ref = program
    .command('ref')
    .description('Données de référence géographiques (communes, cantons, ZRR, QPV…)');
  ref
    .command('load')
    .description('Charger un dossier de référence (toutes les lignes validées ; tout ou rien ; relançable)')
    .argument('<dossier>', 'dossier au format de ../shared/data (README.md)')
    .option('--json', 'rapport au format JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const report = await withContext((ctx) => runRefLoad(ctx, dir));
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRefLoad(report)}\n`);
      if (!report.loaded)
        throw new CliError(`Chargement refusé : ${report.issues.length} ligne(s) invalide(s).`);
    });
  ref
    .command('sync')
    .description('Télécharger les fichiers de référence depuis leurs sources (en ligne), puis les vérifier')
    .option('--out <dossier>', 'dossier de destination', './data/ref')
    .option('--from <url>', 'miroir publiant les fichiers au format de référence')
    .option('--load', 'charger ensuite le dossier en base')
    .action(async (opts: { out: string; from?: string; load?: boolean }) => {
      const r = await runRefSync({ out: opts.out, from: opts.from, progress: process.stderr.isTTY });
      process.stdout.write(`Téléchargés : ${r.downloaded.join(', ') || 'aucun'}\n`);
      if (r.missing.length) {
        process.stdout.write(
          `Sans source au format de référence (voir ../shared/data/SOURCES.md, ou --from <miroir>) : ${r.missing.join(', ')}\n`,
        );
      }
      if (opts.load) {
        const full = await readReferenceFolder(resolve(opts.out)).catch((e) => {
          throw new CliError(e instanceof Error ? e.message : String(e));
        });
        if (folderIssues(full).length)
          throw new CliError('Des lignes sont invalides : lancez « maillage ref load » pour le détail.');
        const report = await withContext((ctx) => runRefLoad(ctx, opts.out));
        process.stdout.write(`${formatRefLoad(report)}\n`);
      }
    });

  program
    .command('coverage')
    .description('Indicateurs de couverture d’un territoire (FR, reg:84, dep:02, canton:0201, epci:SIREN)')
    .requiredOption('--territory <code>', 'territoire')
    .option('--osrm', 'population à 10/20/30 min en temps routiers OSRM (MAILLAGE_OSRM_URL)')
    .option('--travel <paramètres>', 'modèle de trajet : classe:détour:vitesse,… (ex. 7:1.5:50)')
    .option('--json', 'sortie JSON')
    .action(async (opts: { territory: string; osrm?: boolean; json?: boolean }) => {
      const c = await withContext((ctx) => runCoverage(ctx, opts));
      process.stdout.write(opts.json ? `${JSON.stringify(c)}\n` : `${formatCoverage(c)}\n`);
    });

  program
    .command('plan')
    .description('Où ouvrir les prochaines France Services ? (couverture maximale, MCLP)')
    .requiredOption('--territory <code>', 'territoire')
    .option('--k <n>', 'nombre de sites à proposer')
    .option('--minutes <T>', 'seuil de temps de trajet estimé, 1 à 120 min (20 par défaut)')
    .option('--radius-km <km>', 'seuil en distance à vol d’oiseau, à la place du temps')
    .option('--min-population <n>', 'population minimale des communes candidates (1 000 par défaut)')
    .option(
      '--candidates <liste>',
      '« bureaux » (bureaux centralisateurs) ou codes INSEE séparés par des virgules',
    )
    .option('--exact', 'vérifier avec l’optimum exact (HiGHS) ; département ou région')
    .option('--travel <paramètres>', 'modèle de trajet : classe:détour:vitesse,… (ex. 7:1.5:50)')
    .option('--json', 'sortie JSON')
    .action(async (opts: PlanArgs & { json?: boolean }) => {
      const p = await withContext((ctx) => runPlan(ctx, opts));
      process.stdout.write(opts.json ? `${JSON.stringify(p)}\n` : `${formatPlan(p)}\n`);
    });

  program
    .command('what-if')
    .description('Et si on ajoutait, déplaçait ou fermait une structure ? Variation de chaque indicateur')
    .requiredOption('--territory <code>', 'territoire')
    .option('--add <code_insee>', 'ouvrir une structure dans cette commune')
    .option('--remove <id_fs>', 'fermer cette structure')
    .option('--move <id_fs>', 'déplacer cette structure…')
    .option('--to <code_insee>', '…dans cette commune')
    .action(async (opts: WhatIfArgs) => {
      const r = await withContext((ctx) => runWhatIf(ctx, opts));
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });
}
