/**
 * `kamerton model-check FILE --calibration-end DATE`: fits the customer-alive model on the ledger up
 * to the calibration end and compares its prediction with the repeat purchases of the holdout, in
 * total and per calibration frequency (src/app/model-check.ts). The ledger is read with the same
 * flags as `analyze`. Flag values are checked before the file is read; the checks that need the
 * ledger's dates come back from the use-case and are said here in the flags' words.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ModelCheck } from '../app/model-check.ts';
import { formatDay, parseIsoDay, type DayNumber } from '../core/calendar.ts';
import type { TimeUnit } from '../core/customer-alive.ts';
import { isKamertonError, KamertonError } from '../core/errors.ts';
import type { ReadInfo } from '../ingest/types.ts';
import { addReadingOptions, parseTimeUnit, toReadOptions, writeChunks, type OutputFormat, type ReadingFlags } from './analyze.command.ts';
import { createProgressBar } from './progress.ts';
import { count, percent } from './summary.ts';

export type ModelCheckFlags = ReadingFlags & {
  calibrationEnd: DayNumber;
  holdoutEnd?: DayNumber;
  timeUnit: TimeUnit;
  format: OutputFormat;
};

/** The use-case's option names and the flags that set them, for its errors. */
const FLAGS: Record<string, string> = { calibrationEnd: '--calibration-end', holdoutEnd: '--holdout-end' };

export function registerModelCheckCommand(program: Command): Command {
  const command = program
    .command('model-check')
    .description(
      'Check the customer-alive model (BG/NBD) on a ledger: fit it on the purchases up to the calibration end and\n' +
        'compare its predicted repeat purchases in the holdout with the actual ones, in total and per number of\n' +
        'repeat purchases in the calibration period.',
    )
    .argument('<file>', 'the sales ledger: CSV, whitespace-separated text, or XLSX')
    .optionsGroup('Reading the file:');
  addReadingOptions(command);
  return command
    .optionsGroup('Model check:')
    .addOption(
      new Option('--calibration-end <date>', 'the last day of the calibration period, YYYY-MM-DD').makeOptionMandatory().argParser(parseDate('--calibration-end')),
    )
    .addOption(
      new Option('--holdout-end <date>', 'the last day of the holdout, YYYY-MM-DD (default: the last date in the ledger)').argParser(
        parseDate('--holdout-end'),
      ),
    )
    .addOption(new Option('--time-unit <unit>', 'the model\'s time unit: day or week').default('week').argParser(parseTimeUnit))
    .optionsGroup('Output:')
    .addOption(new Option('--format <format>', 'a readable table (text) or the figures as JSON (json)').default('text').argParser(parseFormat))
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 done, 2 bad input or arguments, 1 an unexpected failure.',
        '',
        'Example (the CDNOW sample of Fader, Hardie & Lee 2005: 39 weeks of calibration, 39 of holdout):',
        '  kamerton model-check CDNOW_sample.txt --delimiter whitespace --no-header --map client=2,date=3,revenue=5 \\',
        '    --calibration-end 1997-09-30 --holdout-end 1998-06-30',
      ].join('\n'),
    )
    .action(async (file: string, flags: ModelCheckFlags) => {
      await runModelCheck(file, flags);
    });
}

export async function runModelCheck(file: string, flags: ModelCheckFlags): Promise<void> {
  if (flags.holdoutEnd !== undefined && flags.holdoutEnd <= flags.calibrationEnd) {
    throw new KamertonError(
      'invalid-input',
      `--holdout-end ${formatDay(flags.holdoutEnd)} must come after --calibration-end ${formatDay(flags.calibrationEnd)}`,
      { field: '--holdout-end', value: formatDay(flags.holdoutEnd) },
    );
  }
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new KamertonError('invalid-input', `cannot read ${file}: ${info === null ? 'no such file' : 'not a file'}`, { file });
  }
  const progress = createProgressBar(process.stderr, {
    label: `reading ${basename(file)}`,
    unit: extname(file).toLowerCase() === '.xlsx' ? 'rows' : 'bytes',
  });
  // Loaded here, as `analyze` loads its use-case: the readers cost the other commands' start-up.
  const { checkModelOnFile } = await import('../app/model-check.ts');
  let check;
  try {
    check = await checkModelOnFile(
      file,
      { ...toReadOptions(flags), onProgress: progress.update },
      { calibrationEnd: flags.calibrationEnd, holdoutEnd: flags.holdoutEnd ?? null, timeUnit: flags.timeUnit },
    );
  } catch (error) {
    throw inFlagWords(error);
  } finally {
    progress.finish();
  }
  const { info: read, ...figures } = check;
  const text = flags.format === 'json' ? `${JSON.stringify(figures)}\n` : formatModelCheck(figures, read);
  await writeChunks(process.stdout, [text]);
}

/** An error about one of the use-case's options, reworded to name the flag that set it. */
function inFlagWords(error: unknown): unknown {
  if (!isKamertonError(error) || error.details.field === undefined) return error;
  const flag = FLAGS[error.details.field];
  if (flag === undefined) return error;
  return new KamertonError(error.code, `${flag}: ${error.message}`, { ...error.details, field: flag });
}

/** The check as a readable table, at most 100 columns wide; numbers the English way, as `analyze` prints them. */
export function formatModelCheck(check: ModelCheck, read: Pick<ReadInfo, 'file'>): string {
  const { model, calibration, holdout, total } = check;
  const p = model.params;
  const units = model.timeUnit === 'week' ? 'weeks' : 'days';
  const out: string[] = [`Kamerton model check of ${read.file.replace(/\p{Cc}/gu, ' ')}`, ''];
  out.push(
    `Calibration  ${calibration.from} .. ${calibration.to}: ${count(calibration.clients)} clients with a purchase by then` +
      (calibration.leftOut === 0 ? '' : `; ${count(calibration.leftOut)} first bought later and are left out`),
    `Holdout      ${holdout.from} .. ${holdout.to}: ${count(holdout.days)} days` +
      (model.timeUnit === 'week' ? ` = ${fixed(holdout.length, 2)} weeks` : ''),
    `Model        BG/NBD (Fader, Hardie & Lee 2005) fitted on the calibration period, time in ${units}`,
    `             r ${parameter(p.r)}, alpha ${parameter(p.alpha)}, a ${parameter(p.a)}, b ${parameter(p.b)}; ` +
      `log-likelihood ${fixed(model.logLikelihood, 2)}`,
    `             ${model.converged ? `converged in ${count(model.iterations)} iterations` : `NOT converged after ${count(model.iterations)} iterations`}; ` +
      `${count(model.repeatBuyers)} of the ${count(model.clients)} clients with a repeat purchase`,
    '',
    `Repeat purchase days in the holdout: predicted ${fixed(total.predicted, 1)}, actual ${count(total.actual)}` +
      (total.relativeError === null ? '' : ` (${total.relativeError >= 0 ? '+' : ''}${percent(total.relativeError)})`),
    '',
    'Per client, by repeat purchases in the calibration period (the conditional expectations)',
  );
  const header = ['repeat purchases', 'clients', 'mean actual', 'mean predicted', 'actual', 'predicted'];
  const widths = [16, 9, 13, 16, 10, 11];
  const row = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('')}`;
  out.push(row(header));
  const mean = (m: number | null) => (m === null ? 'n/a' : fixed(m, 3));
  for (const g of check.groups) {
    out.push(row([`  ${g.label}`, count(g.clients), mean(g.meanActual), mean(g.meanPredicted), count(g.actual), fixed(g.predicted, 1)]));
  }
  const clients = calibration.clients;
  out.push(
    row([
      'all',
      count(clients),
      mean(clients === 0 ? null : total.actual / clients),
      mean(clients === 0 ? null : total.predicted / clients),
      count(total.actual),
      fixed(total.predicted, 1),
    ]),
  );
  return `${out.join('\n')}\n`;
}

/** A model parameter to four significant digits: 0.2426, 4.414, 30.9. */
function parameter(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** A figure with `digits` decimals and grouped thousands: 1,788.4. */
function fixed(x: number, digits: number): string {
  const [whole = '0', fraction] = Math.abs(x).toFixed(digits).split('.');
  const sign = x < 0 && Number(Math.abs(x).toFixed(digits)) !== 0 ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

function parseDate(flag: string): (value: string) => DayNumber {
  return (value) => parseIsoDay(value) ?? invalid(`${flag} takes a real date written YYYY-MM-DD.`);
}

function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  return invalid('Use text or json.');
}

function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}
