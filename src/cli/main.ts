import { Command, CommanderError } from 'commander';
import { describeError } from './context.js';

type Register = (program: Command) => void;

/**
 * Each capability's commands, loaded only when asked for: a command module pulls in its services (database,
 * PDF, solvers…), so `maillage --help` reads this table alone and answers at once. `commands` lists the
 * top-level names a module registers, with the description shown by `--help`; the unit test
 * (main.test.ts) checks this table against what the modules really register.
 */
export const COMMAND_MODULES: ReadonlyArray<{
  readonly commands: Readonly<Record<string, string>>;
  readonly load: () => Promise<Register>;
}> = [
  {
    commands: { import: 'Importer des données', export: 'Exporter des données' },
    load: async () => (await import('./commands/directory.js')).registerDirectoryCommands,
  },
  {
    commands: { labelling: 'Labellisation France Services : pré-contrôles, audits' },
    load: async () => (await import('./commands/labelling.js')).registerLabellingCommands,
  },
  {
    commands: { users: 'Comptes de l’espace France Services' },
    load: async () => (await import('./commands/users.js')).registerUsersCommands,
  },
  {
    commands: {
      ref: 'Données de référence géographiques (communes, cantons, ZRR, QPV…)',
      coverage: 'Indicateurs de couverture d’un territoire',
      plan: 'Où ouvrir les prochaines France Services ?',
      'what-if': 'Et si on ajoutait, déplaçait ou fermait une structure ?',
    },
    load: async () => (await import('./commands/territory.js')).registerTerritoryCommands,
  },
  {
    commands: { mobile: 'France Services mobiles : bus, arrêts, tournées, calendriers' },
    load: async () => (await import('./commands/mobile.js')).registerMobileCommands,
  },
  {
    commands: {
      backup: 'Sauvegarder la base embarquée (PGlite) dans un fichier',
      restore: 'Restaurer la base embarquée (PGlite) depuis une sauvegarde',
    },
    load: async () => (await import('./commands/operations.js')).registerOperationsCommands,
  },
  {
    commands: { activity: 'Accompagnements : import, données de démonstration, statistiques' },
    load: async () => (await import('./commands/activity.js')).registerActivityCommands,
  },
  {
    commands: { cases: 'Escalade vers les référents des partenaires : échéances, relances, effacement' },
    load: async () => (await import('./commands/cases.js')).registerCasesCommands,
  },
  {
    commands: { rdv: 'Rendez-vous : rappels, effacement des coordonnées' },
    load: async () => (await import('./commands/rdv.js')).registerRdvCommands,
  },
];

function emptyProgram(): Command {
  const program = new Command('maillage')
    .description('Maillage — plateforme du réseau France Services')
    .showHelpAfterError('(utilisez --help pour l’aide)')
    .configureOutput({ outputError: (text, write) => write(text) });
  program.exitOverride();
  return program;
}

/** The whole `maillage` program, every command module loaded. */
export async function buildProgram(): Promise<Command> {
  const program = emptyProgram();
  for (const module of COMMAND_MODULES) (await module.load())(program);
  return program;
}

/**
 * The program for these arguments: only the module that owns the command named first. With no known
 * command (`--help`, a typo), placeholders carry the names and descriptions, and nothing heavy is loaded.
 */
async function programFor(argv: string[]): Promise<Command> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const owner = COMMAND_MODULES.find((m) => name !== undefined && name in m.commands);
  if (owner) {
    const program = emptyProgram();
    (await owner.load())(program);
    return program;
  }
  const program = emptyProgram();
  for (const module of COMMAND_MODULES) {
    for (const [command, description] of Object.entries(module.commands)) {
      program.command(command).description(description);
    }
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await programFor(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { message, exitCode } = describeError(error);
    process.stderr.write(`maillage : ${message}\n`);
    return exitCode;
  }
}

const invokedDirectly =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\/src\//, '/src/'));
if (invokedDirectly || process.env.MAILLAGE_CLI === '1') {
  process.exitCode = await main(process.argv);
}
