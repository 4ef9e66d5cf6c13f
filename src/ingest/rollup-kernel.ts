/**
 * The rollup kernel (kernel/rollup.as.ts, compiled to kernel/rollup.wasm): the fast path of
 * `readDailyChunk` for delimited files. It owns the reader's buffer (a region of its memory), takes
 * every plain line it can judge exactly as the JavaScript path would, and folds it into per-(client,
 * day) records; each line it declines (a quote, a bad or unusual value, a client's first name, a day
 * before its client's latest) the JavaScript path reads, as it reads every line of a file without the
 * kernel. Its records and clients come out as one more ClientDayPart, merged with the JavaScript
 * table's by buildDailyLedger, which sums the records of a client and day that both hold.
 *
 * Why WebAssembly: the same work in JavaScript costs about 240 ns a line, the kernel about 80 (see
 * docs/adr/0003-rollup-kernel-in-webassembly.md and docs/performance.md).
 */
import { readFileSync } from 'node:fs';
import { makePart, PAGE_SIZE, RECORD_BYTES, type ClientDayPart } from './client-day-table.ts';
import type { CsvLayout } from './csv-layout.ts';
import type { TextDecodeFn } from './encoding.ts';
import { parseDate, parseMoney } from './values.ts';

/**
 * The part of the WebAssembly API this module uses, typed here: the project's libraries (ES2023 and
 * Node's types) leave out the WebAssembly classes, which TypeScript keeps with the DOM's.
 */
type WasmGlobal = { value: number };
type WasmMemory = { readonly buffer: ArrayBuffer };
type WasmModule = object;
type WasmApi = {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, (...args: number[]) => number>>) => { exports: object };
};
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type KernelExports = {
  memory: WasmMemory;
  PAGE_RECORDS: WasmGlobal;
  RECORD_BYTES: WasmGlobal;
  STOP_OUTPUT_FULL: WasmGlobal;
  STOP_DECLINED: WasmGlobal;
  position: WasmGlobal;
  linesTaken: WasmGlobal;
  outCount: WasmGlobal;
  init(bufferBytes: number, delimiter: number, decimal: number, columns: number, cost: number, margin: number, name: number): number;
  outputAddress(): number;
  slotsAddress(): number;
  slotTotal(): number;
  arenaAddress(): number;
  clientTotal(): number;
  resetOutput(): void;
  run(start: number, limit: number): number;
  flush(from: number): number;
};

/** Compiled once per thread, on first use (a few milliseconds). */
let compiled: WasmModule | null = null;

function kernelModule(): WasmModule {
  compiled ??= new wasm.Module(readFileSync(new URL('./kernel/rollup.wasm', import.meta.url)));
  return compiled;
}

/** The kernel's layout of a client slot (rollup.as.ts). */
const SLOT_BYTES = 64;
const S_ID = 0;
const S_LENGTH_NAME = 8;
const S_BYTES = 40;
const INLINE_BYTES = 24;
/** The most columns a line may need for the kernel to read it. */
const MAX_COLUMNS = 256;

// Column roles, as rollup.as.ts reads them.
const ROLES = { date: 1, client: 2, revenue: 3, cost: 4, margin: 5, clientName: 6 } as const;

export type KernelStop = 'full' | 'declined' | 'limit';

export class RollupKernel {
  /** Lines the last `run` took, and where it stopped. */
  linesTaken = 0;
  position = 0;

  private readonly exports: KernelExports;
  private readonly decode: TextDecodeFn;
  private readonly bufferBytes: number;
  private view: Buffer;
  private readonly pages: ArrayBuffer[] = [];
  private records = 0;

  /** Null when the layout is not for the kernel: whitespace-separated, or too many columns. */
  static create(layout: CsvLayout, decode: TextDecodeFn, bufferBytes: number): RollupKernel | null {
    if (layout.delimiter === 'whitespace' || layout.fieldsNeeded > MAX_COLUMNS) return null;
    return new RollupKernel(layout, decode, bufferBytes);
  }

  private constructor(layout: CsvLayout, decode: TextDecodeFn, bufferBytes: number) {
    this.decode = decode;
    this.bufferBytes = bufferBytes;
    let bytes = new Uint8Array(0);
    const memoryBytes = (): Uint8Array => {
      // The memory's buffer is replaced whenever the kernel grows it.
      if (bytes.buffer !== this.exports.memory.buffer) bytes = new Uint8Array(this.exports.memory.buffer);
      return bytes;
    };
    const dateFormat = layout.dateFormat;
    const decimal = layout.decimal;
    const instance = new wasm.Instance(kernelModule(), {
      env: {
        parseDate: (start: number, end: number): number => parseDate(memoryBytes(), start, end, dateFormat),
        parseMoney: (start: number, end: number): number => parseMoney(memoryBytes(), start, end, decimal),
      },
    });
    this.exports = instance.exports as unknown as KernelExports;
    const e = this.exports;
    if (e.PAGE_RECORDS.value !== PAGE_SIZE || e.RECORD_BYTES.value !== RECORD_BYTES) {
      throw new Error('rollup.wasm does not match client-day-table.ts: run `npm run build:kernel`');
    }
    const index = layout.index;
    const rolesAt = e.init(
      bufferBytes,
      layout.delimiter.charCodeAt(0),
      decimal.charCodeAt(0),
      layout.fieldsNeeded,
      index.cost !== undefined ? 1 : 0,
      index.margin !== undefined ? 1 : 0,
      index.clientName !== undefined ? 1 : 0,
    );
    const roles = new Uint8Array(e.memory.buffer, rolesAt, layout.fieldsNeeded);
    for (const [field, role] of Object.entries(ROLES)) {
      const column = index[field as keyof typeof ROLES];
      if (column !== undefined) roles[column] = role;
    }
    this.view = Buffer.from(e.memory.buffer, 0, bufferBytes);
  }

  /** The read buffer: the same bytes whatever the kernel does, but a new view after it grows its memory. */
  get buffer(): Buffer {
    if (this.view.buffer !== this.exports.memory.buffer) this.view = Buffer.from(this.exports.memory.buffer, 0, this.bufferBytes);
    return this.view;
  }

  /**
   * Takes the whole lines of the buffer from `start` up to `limit`, until one it declines or the
   * limit; `linesTaken` and `position` say how far it went. Returns why it stopped: `full` when its
   * output page filled (the page has been taken: call again at `position`), `declined` when the line
   * at `position` is for the JavaScript path, `limit` when no whole line is left.
   */
  run(start: number, limit: number): KernelStop {
    const e = this.exports;
    const stop = e.run(start, limit);
    this.linesTaken = e.linesTaken.value;
    this.position = e.position.value;
    if (stop === e.STOP_OUTPUT_FULL.value) {
      this.takeOutput();
      return 'full';
    }
    return stop === e.STOP_DECLINED.value ? 'declined' : 'limit';
  }

  /** The kernel's clients and records; the kernel must not be used afterwards. */
  finish(): ClientDayPart {
    const e = this.exports;
    const slots = e.slotTotal();
    for (let from = 0; from < slots; ) {
      from = e.flush(from);
      this.takeOutput();
    }
    const memory = new Uint8Array(e.memory.buffer);
    const view = new DataView(e.memory.buffer);
    const slotsAt = e.slotsAddress();
    const arenaAt = e.arenaAddress();
    const clients = new Array<string>(e.clientTotal());
    for (let i = 0; i < slots; i++) {
      const slot = slotsAt + i * SLOT_BYTES;
      const id = view.getUint32(slot + S_ID, true);
      if (id === 0) continue;
      const length = view.getUint32(slot + S_LENGTH_NAME, true) >>> 1;
      const at = length > INLINE_BYTES ? arenaAt + view.getUint32(slot + S_BYTES, true) : slot + S_BYTES;
      clients[id - 1] = this.decode(memory, at, at + length);
    }
    // The kernel keeps no names: a client's first name is always read by the JavaScript path.
    const names = new Array<string | null>(clients.length).fill(null);
    return makePart(clients, names, this.records, this.pages);
  }

  /** Copies the output page out (a full page, or the last one) and empties it. */
  private takeOutput(): void {
    const e = this.exports;
    const count = e.outCount.value;
    if (count === 0) return;
    const page = new ArrayBuffer(PAGE_SIZE * RECORD_BYTES);
    new Uint8Array(page).set(new Uint8Array(e.memory.buffer, e.outputAddress(), count * RECORD_BYTES));
    this.pages.push(page);
    this.records += count;
    e.resetOutput();
  }
}
