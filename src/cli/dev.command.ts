/**
 * `kamerton dev` (and `npm run dev`). Like `serve`, its modules (Vite above all) are loaded only when
 * the command runs.
 */
import type { Command } from 'commander';

export function registerDevCommand(program: Command): Command {
  return program
    .command('dev')
    .description(
      'Start the server with the web app\'s development server (hot reload): the web app at ' +
        'http://localhost:5173 by default, the API as `kamerton serve` runs it (docs/operations.md).',
    )
    .action(async () => {
      const { runDev } = await import('./dev.ts');
      await runDev();
    });
}
