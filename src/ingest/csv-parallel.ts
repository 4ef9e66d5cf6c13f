/**
 * Reading a large ledger on several cores: the data part of the file is split at line boundaries into
 * one chunk per worker thread, each worker reads its chunk straight from the file into a (client, day)
 * table, and the tables come back without copying (their pages are transferred).
 *
 * A split point can fall inside a quoted field that holds a line break; the byte after a line feed
 * then is not the start of a record. Each worker reports whether its chunk ended inside a quoted field,
 * which happens exactly when the next split point was wrong (the first chunk starts right, and a chunk
 * that starts right and ends outside quotes ends at a record boundary); the caller then reads the file
 * again in one pass.
 */
import { readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DailyChunkResult } from './csv-daily-chunk.ts';
import type { CsvLayout } from './csv-layout.ts';

export type ChunkTask = { path: string; start: number; end: number; layout: CsvLayout; bufferSize?: number };

export type WorkerMessage = { type: 'progress'; bytes: number } | { type: 'done'; result: DailyChunkResult };

const LF = 0x0a;

/**
 * Chunk boundaries for reading `[start, end)` of the file in `count` parts: `count + 1` ascending
 * positions from `start` to `end`, each inner one just after a line feed (or at `end`). The first part
 * gets `firstShare` of the bytes (an equal share when absent), the others equal shares of the rest.
 * Parts may be empty when the file has fewer lines than parts.
 */
export function splitAtLines(fd: number, start: number, end: number, count: number, firstShare = 1 / count): number[] {
  const bounds = [start];
  const probe = Buffer.allocUnsafe(64 * 1024);
  const first = start + Math.floor((end - start) * Math.min(1, firstShare));
  for (let i = 1; i < count; i++) {
    const previous = bounds[i - 1] as number;
    const target = first + Math.floor(((end - first) * (i - 1)) / (count - 1));
    // The boundary is after the first line feed at or after `target - 1`, so a target that already
    // starts a line stays where it is.
    let at = Math.max(previous, target - 1);
    let boundary = end;
    while (at < end) {
      const got = readSync(fd, probe, 0, Math.min(probe.length, end - at), at);
      if (got <= 0) break;
      const lf = probe.subarray(0, got).indexOf(LF);
      if (lf >= 0) {
        boundary = at + lf + 1;
        break;
      }
      at += got;
    }
    bounds.push(Math.max(previous, boundary));
  }
  bounds.push(end);
  return bounds;
}

/**
 * Reads one chunk in a new worker thread. `onBytes` gets the chunk's bytes read so far, now and then;
 * aborting `signal` stops the worker (its result is then no longer wanted).
 */
export function readChunkInWorker(task: ChunkTask, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<DailyChunkResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./csv-worker-entry.cjs', import.meta.url), { workerData: task });
    const stop = (): void => {
      void worker.terminate();
    };
    signal?.addEventListener('abort', stop, { once: true });
    let result: DailyChunkResult | null = null;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onBytes(message.bytes);
      else result = message.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', stop);
      if (result !== null) resolve(result);
      else reject(new Error(`the worker reading bytes ${task.start}-${task.end} of ${task.path} stopped (exit code ${code}) without a result`));
    });
  });
}
