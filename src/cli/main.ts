import { Command, CommanderError } from 'commander';
import { registerActivityCommands } from './commands/activity.js';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerLabellingCommands } from './commands/labelling.js';
import { registerMobileCommands } from './commands/mobile.js';
import { registerTerritoryCommands } from './commands/territory.js';
import { registerUsersCommands } from './commands/users.js';
import { describeError } from './context.js';

/**
 * `maillage` command line. Each capability registers its commands from src/cli/commands/.
 */
export function buildProgram(): Command {
  const program = new Command('maillage')
    .description('Maillage — plateforme du réseau France Services')
    .showHelpAfterError('(utilisez --help pour l’aide)')
    .configureOutput({ outputError: (text, write) => write(text) });
  program.exitOverride();
  registerDirectoryCommands(program);
  registerLabellingCommands(program);
  registerUsersCommands(program);
  registerTerritoryCommands(program);
  registerMobileCommands(program);
  registerActivityCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
