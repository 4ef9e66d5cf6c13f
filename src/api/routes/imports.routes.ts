/**
 * Ledger imports over HTTP. Registered under /api/v1. An upload (multipart: the optional fields
 * `source` and `options`, then the file) is streamed to a temporary file, within the configured size,
 * and imported as a job: 202 with the job, whose progress the client polls until it is done or
 * failed. Past imports list with their records, and each one's rejected lines download as CSV.
 * Importing changes every account's figures: the director and the administrator only.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { sourceSchema } from '../../app/import-ledger.ts';
import { previewImport, PREVIEW_CSV_MAX_BYTES } from '../../app/import-preview.ts';
import { DATE_FORMATS, LEDGER_FIELDS, type ReadOptions } from '../../ingest/types.ts';
import {
  getImport,
  getImportSource,
  ImportJobs,
  importListQuerySchema,
  listImports,
  readOptionsSchema,
  rejectedLinesCsv,
  removeFile,
} from '../../app/imports.ts';
import { parseInput } from '../../app/input.ts';
import { KamertonError } from '../../core/errors.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_MANAGERS, pageOf } from './accounts.routes.ts';

const rowErrorSchema = z.object({ line: z.number().int(), column: z.string().nullable(), value: z.string().nullable(), message: z.string() });

const importFields = {
  id: z.number().int(),
  source: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  format: z.enum(['csv', 'xlsx']),
  userId: z.uuid().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  lines: z.number().int().describe('Data lines read, good and bad.'),
  accepted: z.number().int(),
  rejected: z.number().int(),
  unchanged: z.number().int().describe('Lines already stored with the same values.'),
  added: z.number().int(),
  removed: z.number().int().describe('Stored lines of the documents (or dates) the file replaced that it no longer holds.'),
  matchedBy: z.enum(['document-line', 'values']),
  documents: z.number().int(),
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
};

export const importRecordSchema = z.object({
  ...importFields,
  newAccounts: z.array(z.object({ code: z.string(), accountId: z.uuid() })).describe('Accounts created for client codes no account had: unassigned.'),
  errors: z.array(rowErrorSchema).describe('The first 1,000 rejected lines; rejects.csv has them all.'),
});

const importSummarySchema = z.object({ ...importFields, newAccounts: z.number().int() });

export const importJobSchema = z.object({
  id: z.uuid(),
  fileName: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  phase: z.enum(['reading', 'storing']).nullable(),
  done: z.number().describe('Reading: bytes (rows of an XLSX file) done.'),
  total: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  record: importRecordSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }).nullable(),
});

const ledgerFieldMap = z.partialRecord(z.enum(LEDGER_FIELDS), z.union([z.string(), z.number().int(), z.null()]));

const rememberedOptionsSchema = z.object({
  map: ledgerFieldMap.optional(),
  delimiter: z.enum([';', ',', '\t', 'whitespace']).optional(),
  encoding: z.enum(['utf-8', 'windows-1250']).optional(),
  header: z.boolean().optional(),
  decimal: z.enum([',', '.']).optional(),
  dateFormat: z.enum(DATE_FORMATS).optional(),
  sheet: z.string().optional(),
});

const importSourceSchema = z.object({
  source: z.string(),
  options: rememberedOptionsSchema,
  importId: z.number().int().describe('The import that saved them.'),
  userId: z.uuid().nullable(),
  updatedAt: z.string(),
});

const previewValue = z.union([z.string(), z.number(), z.null()]);

export const importPreviewSchema = z.object({
  fileName: z.string(),
  source: z.string(),
  format: z.enum(['csv', 'xlsx']),
  partial: z.boolean().describe('Only the start of the file was read.'),
  detected: z.object({
    delimiter: z.enum([';', ',', '\t', 'whitespace']).nullable(),
    encoding: z.enum(['utf-8', 'windows-1250']).nullable(),
    header: z.boolean(),
    decimal: z.enum([',', '.']).nullable().describe('Null when the amounts cannot tell.'),
    dateFormat: z.enum(DATE_FORMATS).nullable(),
    sheets: z.array(z.string()).nullable().describe('XLSX: every sheet, in tab order.'),
    sheet: z.string().nullable().describe('XLSX: the sheet read.'),
  }).describe('What detection found, whatever the options say.'),
  options: rememberedOptionsSchema.describe('The options read with, the mapping explicit: send them to POST /imports.'),
  remembered: importSourceSchema.nullable(),
  columns: z.array(z.object({ index: z.number().int().describe('1-based.'), header: z.string() })),
  mapping: z.record(z.enum(LEDGER_FIELDS), z.number().int().nullable()).describe('Field to 1-based column, null for none.'),
  required: z.array(z.enum(LEDGER_FIELDS)),
  missing: z.array(z.enum(LEDGER_FIELDS)).describe('Required fields without a column.'),
  rows: z.array(z.object({
    line: z.number().int(),
    cells: z.array(z.string()),
    values: z.partialRecord(z.enum(LEDGER_FIELDS), previewValue).nullable().describe('As the import reads them: dates ISO, money in złote.'),
    error: rowErrorSchema.nullable(),
  })),
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
});

const importParams = z.object({ importId: z.coerce.number().int().min(1) });

export const importsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  const jobs = new ImportJobs(database.pool, config.timeZone);
  app.addHook('onClose', async () => jobs.settle());
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 } });

  app.post('/imports', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'Upload a ledger file (CSV or XLSX) and import it as a job',
      description:
        'multipart/form-data: optional fields `source` (default erp) and `options` (JSON: delimiter, encoding, header, ' +
        'decimal, dateFormat, sheet, map, strict), then the part `file`. The fields must come before the file. ' +
        'Answers 202 with the job; poll GET /imports/jobs/{jobId}.',
      consumes: ['multipart/form-data'],
      response: { 202: importJobSchema },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { part, source, read } = await uploadOf(request);
    const extension = extname(part.filename).toLowerCase() === '.xlsx' ? '.xlsx' : '.csv';
    const path = await saveUpload(part, extension, config.uploadMaxBytes);
    const job = jobs.start(actor, { path, fileName: part.filename, ...(source === undefined ? {} : { source }), read }, () => removeFile(path));
    return reply.code(202).send(job);
  });

  app.post('/imports/preview', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: "Preview a ledger file's start: what was detected, the column mapping and the first rows as read",
      description:
        'multipart/form-data like POST /imports: optional fields `source`, `options` (JSON) and `partial` ("true" when ' +
        'the file part is only the start of a CSV, e.g. its first 256 KiB: the rows then end at its last complete line), ' +
        `then the part \`file\`. A CSV is read up to ${PREVIEW_CSV_MAX_BYTES / 1024} KiB; an XLSX is sent whole (within the ` +
        'upload limit) and only its first rows are read. The options remembered for the source fill in those not given; ' +
        'the answer\'s `options` (with an explicit `map` of every field) is what to send to POST /imports.',
      consumes: ['multipart/form-data'],
      response: { 200: importPreviewSchema },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { part, fields, source, read } = await uploadOf(request);
    const base = { fileName: part.filename, ...(source === undefined ? {} : { source }), read };
    if (extname(part.filename).toLowerCase() === '.xlsx') {
      const path = await saveUpload(part, '.xlsx', config.uploadMaxBytes);
      try {
        return await previewImport(database.pool, actor, { ...base, format: 'xlsx', path });
      } finally {
        await removeFile(path);
      }
    }
    const { bytes, cut } = await readStart(part.file, PREVIEW_CSV_MAX_BYTES);
    return previewImport(database.pool, actor, { ...base, format: 'csv', bytes, partial: cut || fields.partial === 'true' });
  });

  app.get('/imports/sources/:source', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'How the files of a source are read, as remembered from its last import that named options',
      params: z.object({ source: z.string() }),
      response: { 200: importSourceSchema },
    },
  }, async (request) => getImportSource(database.pool, actorOf(request), request.params.source));

  app.get('/imports/jobs/:jobId', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'An import job: its progress, then its record or its error',
      params: z.object({ jobId: z.uuid() }),
      response: { 200: importJobSchema },
    },
  }, async (request) => jobs.get(actorOf(request), request.params.jobId));

  app.get('/imports', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'The imports, newest first',
      querystring: importListQuerySchema,
      response: { 200: pageOf(importSummarySchema) },
    },
  }, async (request) => listImports(database.pool, actorOf(request), request.query));

  app.get('/imports/:importId', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'One import: its figures, the accounts it created, its first rejected lines',
      params: importParams,
      response: { 200: importRecordSchema },
    },
  }, async (request) => getImport(database.pool, actorOf(request), request.params.importId));

  app.get('/imports/:importId/rejects.csv', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['imports'],
      summary: 'Every rejected line of an import as CSV (line, column, value, reason)',
      params: importParams,
      produces: ['text/csv'],
    },
  }, async (request, reply) => {
    const csv = await rejectedLinesCsv(database.pool, actorOf(request), request.params.importId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="import-${request.params.importId}-rejected.csv"`)
      .send(csv);
  });
};

/** The upload's file part and the fields before it: the source and the reading options, validated. */
async function uploadOf(request: FastifyRequest): Promise<{ part: MultipartFile; fields: Record<string, string>; source: string | undefined; read: ReadOptions }> {
  const part = await request.file();
  if (part === undefined) throw new KamertonError('invalid-input', 'The upload has no file part.', { field: 'file' });
  const fields: Record<string, string> = Object.fromEntries(Object.entries(part.fields).flatMap(([name, field]) => {
    const value = Array.isArray(field) ? field[0] : field;
    return value !== undefined && value.type === 'field' ? [[name, String(value.value)]] : [];
  }));
  const source = parseInput(sourceSchema.optional(), fields.source);
  let options: unknown = {};
  if (fields.options !== undefined) {
    try {
      options = JSON.parse(fields.options);
    } catch {
      throw new KamertonError('invalid-input', 'options: not valid JSON', { field: 'options' });
    }
  }
  const read = parseInput(readOptionsSchema, options);
  return { part, fields, source, read };
}

/** Streams the file part to a private temporary file within `maxBytes`; its path. */
async function saveUpload(part: MultipartFile, extension: string, maxBytes: number): Promise<string> {
  const dir = join(tmpdir(), 'kamerton-uploads');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${randomUUID()}${extension}`);
  try {
    await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await removeFile(path);
    throw error;
  }
  if (part.file.truncated) {
    await removeFile(path);
    throw new KamertonError('too-large', `The file is larger than the server accepts (${Math.round(maxBytes / 1048576)} MiB, KAMERTON_UPLOAD_MAX_MB).`, { field: 'file' });
  }
  return path;
}

/**
 * The first `maxBytes` of a stream; the rest is read and dropped (a multipart body must be consumed).
 * `cut` tells whether anything was dropped.
 */
async function readStart(stream: AsyncIterable<Buffer>, maxBytes: number): Promise<{ bytes: Uint8Array; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  for await (const chunk of stream) {
    if (size >= maxBytes) {
      cut = true;
      continue;
    }
    const take = chunk.subarray(0, maxBytes - size);
    if (take.length < chunk.length) cut = true;
    chunks.push(take);
    size += take.length;
  }
  return { bytes: Buffer.concat(chunks), cut };
}
