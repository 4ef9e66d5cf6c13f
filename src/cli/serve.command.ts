/**
 * `kamerton serve` (and `npm start`). The server's modules are loaded only when the command runs, so
 * that the other commands (`analyze` above all) start without Fastify, zod and the database driver.
 */
import type { Command } from 'commander';

export function registerServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description(
      'Start the Kamerton server (http://127.0.0.1:3000 by default; HOST, PORT, DATABASE_URL and\n' +
        'KAMERTON_DATA_DIR configure it: docs/operations.md), building the web app first when web/dist ' +
        'is missing or older than its sources.',
    )
    .action(async () => {
      const { serve } = await import('./serve.ts');
      await serve();
    });
}
