// The entry of the worker threads that read chunks of a ledger. A worker thread does not inherit the
// TypeScript loader its parent runs under (tsx, Vitest), so it registers one itself. tsx's CommonJS
// hook is used rather than its ESM one because it compiles in the worker's own thread: the ESM hook
// starts one more hooks thread per worker, which doubled a worker's start-up time (about 240 ms of CPU
// instead of 140 ms) and added some 20 MB of memory per worker.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry loads with require by nature */
const { register } = require('tsx/cjs/api');

register();
require('./csv-worker.ts');
