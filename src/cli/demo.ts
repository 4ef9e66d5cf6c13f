/** The work of `kamerton demo` (demo.command.ts registers it). */
import { SYSTEM_ACTOR } from '../app/actor.ts';
import { loadDemo, type DemoSummary } from '../app/demo.ts';
import { listUsers } from '../app/users.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import type { DemoFlags } from './demo.command.ts';

export async function runDemo(flags: DemoFlags): Promise<void> {
  const config = await loadConfig();
  const database = await openDatabase(config);
  try {
    const started = performance.now();
    const summary = await loadDemo(database, SYSTEM_ACTOR, flags.seed === undefined ? {} : { seed: flags.seed });
    const seconds = (performance.now() - started) / 1000;
    const admins = await listUsers(database.db, SYSTEM_ACTOR, { role: 'admin', active: 'true', pageSize: 1 });
    process.stdout.write(`${formatDemoSummary(summary, seconds, { administrator: admins.total > 0 })}\n`);
  } finally {
    await database.close();
  }
}

/**
 * What the command prints: what was made, how to sign in, and the warning that goes with it; and,
 * when the database has no active administrator, how to add one.
 */
export function formatDemoSummary(summary: DemoSummary, seconds: number, options: { administrator: boolean }): string {
  const s = summary.accountsByStatus;
  const width = Math.max(...summary.users.map((user) => user.email.length));
  const lines = [
    `Loaded the demo company (seed ${summary.seed}) in ${seconds.toFixed(1)} s:`,
    `  ${summary.accounts} accounts (${s.active} active, ${s.prospect} prospects, ${s.lost} lost, ${s['won-back']} won back)`,
    `  ${summary.contacts} contacts, ${summary.competitors} competitors on ${summary.competitorEntries} account entries, ${summary.tenders} tenders`,
    `  ${summary.historyRows} history rows`,
    `  a sales ledger of ${summary.ledger.lines} lines in ${summary.ledger.documents} invoices over three years (import ${summary.ledger.importId}), ` +
      `analysed in run ${summary.ledger.analysisRunId}`,
    '',
    'Demo users (sign in at the server\'s start page):',
    ...summary.users.map((user) => {
      const owns = user.role === 'kam' ? `, owns ${user.accounts} accounts` : '';
      return `  ${user.email.padEnd(width)}  ${user.role.padEnd(9)}  ${user.name}${owns}`;
    }),
    `  password for all of them: ${summary.password}`,
    '',
    'The demo is for trying Kamerton out, and anyone who reads this password can sign in as these users:',
    'deactivate them (PATCH /api/v1/users/{id} with active: false) or start from an empty database before real use.',
  ];
  if (!options.administrator) {
    lines.push(
      '',
      'There is no administrator yet: create one on the start page\'s first-run setup, or with',
      '`kamerton user add --role admin --email <address>`.',
    );
  }
  return lines.join('\n');
}
