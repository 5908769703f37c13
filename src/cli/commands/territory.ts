import { resolve } from 'node:path';
import { MultiBar, type SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
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
  issuePlace,
  type RefSyncOptions,
  type RefSyncReport,
  type SyncProgress,
  size,
  syncReferenceFolder,
} from '../../services/territory/ref-sync.service.js';
import { folderIssues, readReferenceFolder } from '../../services/territory/reference-folder.js';
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

export interface SyncArgs extends Omit<RefSyncOptions, 'onProgress'> {
  /** Draw a progress bar per download on stderr (a terminal). */
  readonly progress?: boolean;
}

/**
 * `maillage ref sync`: the producers' files (or a mirror of them, or of our own format) → the reference
 * folder. A failure leaves the folder as it was and says so, naming the file, the line and the reason.
 */
export async function runRefSync(args: SyncArgs): Promise<RefSyncReport> {
  const bars = args.progress
    ? new MultiBar({ format: '{file} {bar} {value} octets', hideCursor: true })
    : null;
  const bar = new Map<string, SingleBar>();
  const onProgress = (p: SyncProgress) => {
    if (!bars || p.step === 'convert') return;
    const total = p.step === 'download' ? (p.total ?? p.done) : p.bytes;
    let b = bar.get(p.file);
    if (!b) {
      b = bars.create(total, 0, { file: p.file.padEnd(50).slice(0, 50) });
      bar.set(p.file, b);
    }
    b.setTotal(Math.max(total, 1));
    b.update(p.step === 'download' ? p.done : p.bytes);
  };
  try {
    return await syncReferenceFolder({ ...args, onProgress });
  } catch (e) {
    if (e instanceof DomainError)
      throw new CliError(
        `Synchronisation interrompue : rien n’a été modifié dans ${resolve(args.out)}.\n${e.message}`,
      );
    throw e;
  } finally {
    bars?.stop();
  }
}

export function formatRefSync(r: RefSyncReport): string {
  const lines = [
    r.format === 'reference'
      ? 'Téléchargés depuis le miroir (format de référence) :'
      : 'Téléchargés depuis les producteurs :',
    ...r.downloads.map((d) => `  ${d.source.padEnd(50)} ${size(d.bytes).padStart(12)}  ${d.url}`),
    `Écrits dans ${r.out} :`,
    ...r.files.map(
      (f) =>
        `  ${f.file.padEnd(24)} ${f.rows.toLocaleString('fr-FR').padStart(8)} ${f.file.endsWith('.geojson') ? 'entités' : 'lignes'}${f.rejected.length ? `, ${f.rejected.length} rejetée(s)` : ''}${f.skipped ? `, ${f.skipped} écartée(s) (hors champ)` : ''}`,
    ),
  ];
  const rejected = r.files.flatMap((f) =>
    f.rejected.map((i) => `  ${f.file} ← ${i.source}, ${issuePlace(i)} [${i.field}] ${i.message}`),
  );
  if (rejected.length) {
    lines.push(`Lignes rejetées (${rejected.length}) :`, ...rejected.slice(0, 50));
    if (rejected.length > 50) lines.push(`  … et ${rejected.length - 50} autres (--json pour tout voir).`);
  }
  const notes = r.files.flatMap((f) => f.notes.map((n) => `  ${f.file} : ${n}`));
  if (notes.length) lines.push('Remarques :', ...notes);
  return lines.join('\n');
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
    .description(
      'Télécharger les fichiers de référence chez leurs producteurs (INSEE, geo.api, data.gouv.fr, ANCT, IGN), les convertir au format de référence et remplacer le dossier, tout ou rien (docs/DONNEES.md)',
    )
    .option('--out <dossier>', 'dossier de destination', './data/ref')
    .option(
      '--from <url>',
      'miroir : remplace le protocole et l’hôte de chaque source, en gardant son chemin',
    )
    .addOption(
      new Option(
        '--format <format>',
        'ce que publie le miroir : les fichiers des producteurs, ou le format de référence',
      )
        .choices(['producteurs', 'reference'])
        .default('producteurs'),
    )
    .option('--load', 'charger ensuite le dossier en base')
    .option('--json', 'rapport au format JSON')
    .action(
      async (opts: {
        out: string;
        from?: string;
        format: 'producteurs' | 'reference';
        load?: boolean;
        json?: boolean;
      }) => {
        const { loadConfig } = await import('../../config.js');
        const report = await runRefSync({
          out: opts.out,
          from: opts.from,
          format: opts.format,
          urls: loadConfig().refSourceUrls,
          progress: process.stderr.isTTY && !opts.json,
        });
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRefSync(report)}\n`,
        );
        if (opts.load) {
          const full = await readReferenceFolder(resolve(opts.out)).catch((e) => {
            throw new CliError(e instanceof Error ? e.message : String(e));
          });
          if (folderIssues(full).length)
            throw new CliError('Des lignes sont invalides : lancez « maillage ref load » pour le détail.');
          const loaded = await withContext((ctx) => runRefLoad(ctx, opts.out));
          process.stdout.write(`${formatRefLoad(loaded)}\n`);
        }
      },
    );

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
