/**
 * `kamerton import FILE` and `kamerton analysis run`: the stored ledger from the command line. They
 * take the reading flags and the analysis flags of `analyze`, and call the same use-cases as the API.
 * The database modules load only when a command runs (see serve.command.ts).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SOURCE_PATTERN, SOURCE_RULE } from '../app/source.ts';
import { addAnalysisOptions, addReadingOptions, type AnalysisFlags, type ReadingFlags } from './analyze.command.ts';

export type RecordFormat = 'text' | 'json';
export type ImportFlags = ReadingFlags & { source: string; as?: string; format: RecordFormat };
/** `lostDaysGiven`: whether --lost-days was on the command line (else the activity rules' applies). */
export type AnalysisRunFlags = AnalysisFlags & { as?: string; format: RecordFormat; lostDaysGiven?: boolean };

function parseRecordFormat(value: string): RecordFormat {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('Use text or json.');
  return value;
}

function parseSource(value: string): string {
  if (!SOURCE_PATTERN.test(value)) throw new InvalidArgumentError(SOURCE_RULE);
  return value;
}

const asOption = (): Option =>
  new Option('--as <email>', 'record the run under this user (default: the first administrator)');

export function registerLedgerCommands(program: Command): void {
  const importCommand = program
    .command('import')
    .description(
      'Import a sales ledger into the database. The file replaces, within its source, every document it holds ' +
        '(for lines without a document: every line dated within its span), so importing a file again changes nothing ' +
        'and a corrected export replaces what it corrects. All or nothing: a failure leaves the database as it was.',
    )
    .argument('<file>', 'the sales ledger: CSV, whitespace-separated text, or XLSX')
    .optionsGroup('Reading the file:');
  addReadingOptions(importCommand);
  importCommand
    .optionsGroup('Import:')
    .addOption(new Option('--source <name>', 'the system the ledger comes from; a file replaces lines of its source only').default('erp').argParser(parseSource))
    .addOption(asOption())
    .addOption(new Option('--format <format>', 'text (a summary) or json (the import record)').default('text').argParser(parseRecordFormat))
    .action(async (file: string, flags: ImportFlags) => {
      const { runImport } = await import('./ledger.ts');
      await runImport(file, flags);
    });

  const analysis = program.command('analysis').description('Analyses of the stored ledger.');
  const run = analysis
    .command('run')
    .description(
      'Analyse the stored ledger (ABC-XYZ, key clients, activity) and keep the run. --format json prints the result ' +
        'in the JSON shape of `kamerton analyze`, clients named by their ERP code.',
    )
    .optionsGroup('Analysis:');
  addAnalysisOptions(run);
  run
    .optionsGroup('Output:')
    .addOption(asOption())
    .addOption(new Option('--format <format>', 'text (a summary) or json (the analysis document)').default('text').argParser(parseRecordFormat))
    .action(async (flags: AnalysisRunFlags, command: Command) => {
      const { runAnalysisCommand } = await import('./ledger.ts');
      await runAnalysisCommand({ ...flags, lostDaysGiven: command.getOptionValueSource('lostDays') === 'cli' });
    });
}
