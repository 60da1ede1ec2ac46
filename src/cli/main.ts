/**
 * The `mailsleuth` command line. Each command lives in its own module under `commands/` and
 * registers itself on the program; this file only wires them and turns user errors into exit 2.
 */
import { Command, CommanderError } from 'commander';
import { UsageError, EXIT } from './errors.ts';
import { commands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('mailsleuth')
    .description('Find out why email from a domain is not getting through.')
    .version('0.1.0')
    .showHelpAfterError('(run mailsleuth --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT.usage;
    }
    if (err instanceof UsageError || (err as { userFacing?: boolean })?.userFacing) {
      process.stderr.write(`mailsleuth: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bin/mailsleuth.js');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`mailsleuth: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT.incomplete;
    },
  );
}
