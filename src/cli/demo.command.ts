/**
 * `kamerton demo [--seed N]`: loads the demo company into an empty database. The database modules
 * load only when the command runs (see serve.command.ts).
 */
import { type Command, InvalidArgumentError } from 'commander';

export type DemoFlags = { seed?: number };

/** A seed: an integer from 0 to 2^32 - 1, the range of the demo's generator. */
export function parseSeed(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value.trim()) || Number(value) > 0xffff_ffff) {
    throw new InvalidArgumentError('the seed is an integer from 0 to 4294967295');
  }
  return Number(value);
}

export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description(
      'Load a demo company into an empty database: a director, three key account managers, a marketing ' +
        'person and about 300 Polish client accounts with contacts, competitors, tenders and three years of sales ledger, ' +
        'imported and analysed. The demo users ' +
        'share one password, printed at the end: deactivate them, or start from an empty database, before real use.',
    )
    .option('--seed <n>', 'the seed of the generated data: the same seed gives the same companies (default 1)', parseSeed)
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('./demo.ts');
      await runDemo(flags);
    });
}
