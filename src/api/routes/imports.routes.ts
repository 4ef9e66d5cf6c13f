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
import { sourceSchema } from '../../app/import-ledger.ts';
import {
  getImport,
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

const importParams = z.object({ importId: z.coerce.number().int().min(1) });

export const importsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  const jobs = new ImportJobs(database.pool);
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
    const part = await request.file();
    if (part === undefined) throw new KamertonError('invalid-input', 'The upload has no file part.', { field: 'file' });
    const fields = Object.fromEntries(Object.entries(part.fields).flatMap(([name, field]) => {
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
    const extension = extname(part.filename).toLowerCase() === '.xlsx' ? '.xlsx' : '.csv';
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
      throw new KamertonError('too-large', `The file is larger than the server accepts (${Math.round(config.uploadMaxBytes / 1048576)} MiB, KAMERTON_UPLOAD_MAX_MB).`, { field: 'file' });
    }
    const job = jobs.start(actor, { path, fileName: part.filename, ...(source === undefined ? {} : { source }), read }, () => removeFile(path));
    return reply.code(202).send(job);
  });

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
