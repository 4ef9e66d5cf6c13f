/**
 * A one-line progress bar on stderr for long reads. It is drawn only when stderr is a terminal, so
 * that redirected output and logs never fill with carriage returns, and only once the work has run
 * for a moment, so that small files finish without a flicker.
 */

/** The part of a terminal stream the bar uses (a `tty.WriteStream`, or a stand-in in tests). */
export type ProgressStream = {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
};

export type ProgressUnit = 'bytes' | 'rows';

export type ProgressBar = {
  update(done: number, total: number | null): void;
  /** Clears the bar; call it when the work ends, whether it succeeded or not. */
  finish(): void;
};

export type ProgressOptions = {
  label: string;
  unit: ProgressUnit;
  /** Milliseconds; `performance.now` unless a test passes its own clock. */
  now?: () => number;
  /** Nothing is drawn before the work has run this long (milliseconds). */
  delay?: number;
  /** At most one redraw per this many milliseconds. */
  interval?: number;
};

const noProgress: ProgressBar = { update() {}, finish() {} };

/** A progress bar on `stream`, or one that draws nothing when the stream is not a terminal. */
export function createProgressBar(stream: ProgressStream, options: ProgressOptions): ProgressBar {
  if (!stream.isTTY) return noProgress;
  const now = options.now ?? (() => performance.now());
  const delay = options.delay ?? 300;
  const interval = options.interval ?? 100;
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - started < delay || t - lastDraw < interval) return;
      lastDraw = t;
      drawn = true;
      // A pseudo-terminal may report no width (0); 80 columns is the safe guess then.
      const width = Math.max(40, (stream.columns || 80) - 1);
      stream.write(`\r${renderProgress(options.label, options.unit, done, total, (t - started) / 1000, width)}\x1b[K`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/**
 * The bar's text: label, percentage and bar when the total is known, the amount done, the rate and
 * the time left, cut to `width` characters.
 */
export function renderProgress(
  label: string,
  unit: ProgressUnit,
  done: number,
  total: number | null,
  elapsedSeconds: number,
  width: number,
): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const amount = unit === 'bytes' ? formatBytes(done) : `${formatCount(done)} rows`;
  let line: string;
  if (total !== null && total > 0) {
    const fraction = Math.min(1, Math.max(0, done / total));
    const totalText = unit === 'bytes' ? formatBytes(total) : `${formatCount(total)} rows`;
    const eta = rate > 0 ? formatDuration(Math.max(0, total - done) / rate) : '?';
    const pct = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const tail = `${amount} of ${totalText}  ${formatRate(rate, unit)}  ETA ${eta}`;
    // On a narrow terminal the bar goes first, then the label: the figures are what matter.
    const barWidth = Math.min(30, width - label.length - pct.length - tail.length - 5);
    if (barWidth >= 10) {
      const filled = Math.round(fraction * barWidth);
      line = `${label} ${pct} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${tail}`;
    } else if (label.length + pct.length + tail.length + 2 <= width) {
      line = `${label} ${pct} ${tail}`;
    } else {
      line = `${pct} ${tail}`;
    }
  } else {
    line = `${label} ${amount}  ${formatRate(rate, unit)}`;
  }
  return line.length > width ? line.slice(0, width) : line;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatRate(rate: number, unit: ProgressUnit): string {
  return unit === 'bytes' ? `${formatBytes(Math.round(rate))}/s` : `${formatCount(rate)} rows/s`;
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
