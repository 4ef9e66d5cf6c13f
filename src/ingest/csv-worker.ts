/**
 * A worker thread reading one chunk of a ledger file into a (client, day) table (csv-parallel.ts
 * starts it through csv-worker-entry.cjs). It posts its progress in bytes now and then, and at the end
 * its result, whose table pages are transferred rather than copied.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readDailyChunk } from './csv-daily-chunk.ts';
import type { ChunkTask, WorkerMessage } from './csv-parallel.ts';

const task = workerData as ChunkTask;
const port = parentPort;
if (port === null) throw new Error('csv-worker.ts runs only as a worker thread');

const fd = openSync(task.path, 'r');
try {
  const result = readDailyChunk(fd, task.start, task.end, task.layout, (bytes) => {
    port.postMessage({ type: 'progress', bytes } satisfies WorkerMessage);
  }, task.bufferSize);
  port.postMessage({ type: 'done', result } satisfies WorkerMessage, result.parts.flatMap((part) => part.pages));
} finally {
  closeSync(fd);
}
