/** The work of `kamerton import` and `kamerton analysis run` (ledger.command.ts registers them). */
import { basename, extname } from 'node:path';
import { commandActor } from '../app/command-actor.ts';
import type { ImportRecord } from '../app/import-ledger.ts';
import { runAnalysis, type RunParams } from '../app/run-analysis.ts';
import { loadConfig } from '../config.ts';
import { openConnection } from '../db/client.ts';
import { describeRowError } from '../ingest/row-errors.ts';
import { jsonChunks, toAnalysisParams, toReadOptions, writeChunks } from './analyze.command.ts';
import type { AnalysisRunFlags, ImportFlags } from './ledger.command.ts';
import { createProgressBar } from './progress.ts';
import { count, formatStoredSummary } from './summary.ts';

export async function runImport(file: string, flags: ImportFlags): Promise<void> {
  // The import's modules (the readers, the ledger store) load only here: `analysis run` shares this
  // module and needs none of them, and loading them cost its start-up 60-70 ms.
  // They load while the database opens (and, on a first import, migrates): the two overlap.
  const loading = import('../app/import-ledger.ts');
  const config = await loadConfig();
  const database = await openConnection(config);
  const { importLedger } = await loading.catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const progress = createProgressBar(process.stderr, {
    label: `importing ${basename(file)}`,
    unit: extname(file).toLowerCase() === '.xlsx' ? 'rows' : 'bytes',
  });
  let record: ImportRecord;
  try {
    const actor = await commandActor(database.pool, flags.as);
    record = await importLedger(database.pool, actor, { path: file, source: flags.source, read: toReadOptions(flags) }, {
      onProgress: (phase, done, total) => {
        // Storing has no measure of its own: the bar is taken down and the wait is said in words.
        if (phase === 'reading') progress.update(done, total);
        else progress.finish();
      },
      timeZone: config.timeZone,
    });
  } finally {
    progress.finish();
    await database.close();
  }
  if (flags.format === 'json') {
    await writeChunks(process.stdout, [`${JSON.stringify(record)}\n`]);
    return;
  }
  await writeChunks(process.stdout, [formatImportRecord(record)]);
}

/** The import record as a reader wants it: what was read, what changed, what was refused. */
export function formatImportRecord(record: ImportRecord): string {
  const lines = [
    `Import ${record.id} of ${record.fileName} (source ${record.source}, SHA-256 ${record.sha256.slice(0, 16)}…)`,
    `  lines read ${count(record.lines)}: accepted ${count(record.accepted)}, rejected ${count(record.rejected)}`,
    `  ${count(record.documents)} documents, ${record.firstDay ?? '-'} .. ${record.lastDay ?? '-'}, matched by ${record.matchedBy === 'document-line' ? 'document and line number' : 'values'}`,
    `  unchanged ${count(record.unchanged)}, added ${count(record.added)}, removed ${count(record.removed)}`,
    `  new accounts ${count(record.newAccounts.length)}${record.newAccounts.length > 0 ? ` (unassigned): ${preview(record.newAccounts.map((a) => a.code))}` : ''}`,
  ];
  if (record.errors.length > 0) {
    lines.push('', 'Rejected lines (the first 10; all are kept with the import):');
    for (const error of record.errors.slice(0, 10)) lines.push(`  ${describeRowError(record.fileName, error)}`);
  }
  return `${lines.join('\n')}\n`;
}

function preview(items: string[]): string {
  return items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} and ${count(items.length - 10)} more`;
}

export async function runAnalysisCommand(flags: AnalysisRunFlags): Promise<void> {
  // Without --lost-days the activity rules' lostDays applies, as for a run from the web app.
  const params: RunParams = { ...toAnalysisParams(flags), lostDays: flags.lostDaysGiven === true ? flags.lostDays : undefined };
  const config = await loadConfig();
  const database = await openConnection(config);
  try {
    const actor = await commandActor(database.pool, flags.as);
    const run = await runAnalysis(database.pool, actor, params);
    if (flags.format === 'json') {
      await writeChunks(process.stdout, jsonChunks(run.document));
      return;
    }
    const heading = [
      `Kamerton analysis run ${run.id} of the stored ledger (${count(run.document.totals.lines)} lines, ` +
        `${run.importId === null ? 'no import' : `as of import ${run.importId}`})`,
    ];
    await writeChunks(process.stdout, [formatStoredSummary(run.document, { ...params, lostDays: run.params.lostDays }, heading)]);
  } finally {
    await database.close();
  }
}
