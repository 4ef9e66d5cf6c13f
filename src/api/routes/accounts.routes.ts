/**
 * Account dossiers: list, read, create, change, delete, the account team, and the account's history;
 * the owner of many accounts at once, the accounts as a file, an account's sales and its timeline.
 * Registered under /api/v1. Each route parses its input (zod), is authorised by role (config.access),
 * and calls a use-case of src/app, which applies the record-level rules: a KAM's foreign account is
 * 404, and marketing's account objects lack the financial fields, payment data and private notes.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { historyListQuerySchema, listAccountHistory } from '../../app/account-history.ts';
import { getAccountSales } from '../../app/account-sales.ts';
import { getAccountTimeline, timelineQuerySchema } from '../../app/account-timeline.ts';
import {
  accountCreateSchema,
  accountListQuerySchema,
  accountPatchSchema,
  assignOwner,
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  ownerAssignmentSchema,
  setAccountTeam,
  updateAccount,
} from '../../app/accounts.ts';
import { accountExportQuerySchema, EXPORT_CONTENT_TYPES, exportAccounts } from '../../app/export-accounts.ts';
import { versionSchema } from '../../app/input.ts';
import { ACCOUNT_STATUSES, HISTORY_ACTIONS, HISTORY_ENTITIES, TENDER_OUTCOMES, type Role } from '../../db/schema/index.ts';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS } from '../../core/types.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { expectedVersion } from './users.routes.ts';

/** Everyone who reads dossiers. */
export const DOSSIER_READERS: readonly Role[] = ['admin', 'director', 'kam', 'marketing'];
/** Everyone who changes dossiers (and reads their competitors, tenders and history). */
export const DOSSIER_WRITERS: readonly Role[] = ['admin', 'director', 'kam'];
/** Those who manage every account: delete accounts, keep the competitor list. */
export const DOSSIER_MANAGERS: readonly Role[] = ['admin', 'director'];

/** A page of a list, as every list route returns it. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

/** The If-Match header that may carry the version read, instead of the body's version field. */
export const ifMatchHeaders = z.looseObject({
  'if-match': z.string().optional().describe('The version read, as "3"; instead of the version field.'),
});

/** The version of a delete: optional (If-Match), but a stale one is refused. */
export function optionalVersion(ifMatch: string | undefined): number | undefined {
  return ifMatch === undefined ? undefined : expectedVersion(undefined, ifMatch);
}

const nullableText = z.string().nullable();

export const accountSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  codes: z.array(z.string()).describe('ERP client codes.'),
  taxId: nullableText.describe('NIP, ten digits.'),
  industry: nullableText,
  region: nullableText,
  website: nullableText,
  employees: z.number().int().nullable(),
  description: nullableText,
  history: nullableText.describe('The client company\'s history.'),
  orgStructure: nullableText,
  environment: nullableText,
  ownerId: z.uuid().nullable(),
  ownerName: nullableText,
  teamIds: z.array(z.uuid()).describe('Users besides the owner who read and write the account.'),
  imageMaker: z.boolean(),
  imageMakerReason: nullableText,
  expert: z.boolean(),
  expertReason: nullableText,
  annualPotential: z.number().nullable().optional().describe('Absent for marketing.'),
  longTermPlans: nullableText,
  cooperationHorizonMonths: z.number().int().nullable(),
  reputationInfluence: z.number().int().nullable(),
  paymentDaysLate: z.number().nullable().optional().describe('Absent for marketing.'),
  privateNotes: nullableText.optional().describe('Absent for marketing.'),
  status: z.enum(ACCOUNT_STATUSES),
  analysis: z.object({
    runId: z.number().int(),
    segment: z.enum(SEGMENTS).nullable().describe('Null for an account without purchases that the run typed from its dossier.'),
    types: z.array(z.enum(KEY_CLIENT_TYPES)),
    isKey: z.boolean(),
    activity: z.enum(ACTIVITIES).nullable(),
    lastPurchase: z.string().nullable(),
    daysSinceLastPurchase: z.number().int().nullable(),
    revenue: z.number().optional().describe('In złote, in the run\'s window. Absent for marketing.'),
    margin: z.number().nullable().optional().describe('Absent for marketing.'),
    growth: z.number().nullable().optional().describe('Absent for marketing.'),
  }).nullable().describe('The account\'s result in the latest analysis run, or null when no run included it.'),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const historyEntrySchema = z.object({
  id: z.number().int(),
  at: z.date(),
  userId: z.uuid().nullable(),
  userName: nullableText,
  entity: z.enum(HISTORY_ENTITIES),
  entityId: z.uuid(),
  action: z.enum(HISTORY_ACTIONS),
  field: nullableText,
  oldValue: nullableText,
  newValue: nullableText,
});

const accountParams = z.object({ accountId: z.uuid('Expected an account id (a UUID).') });

const zloty = (what: string) => z.number().describe(`${what}, in złote.`);
const nullableMargin = z.number().nullable().describe('Margin in złote; null where none of the lines had a cost or a margin.');
const isoDay = z.iso.date();

export const accountSalesSchema = z.object({
  months: z.array(z.object({
    month: z.string().regex(/^\d{4}-\d{2}$/).describe('YYYY-MM.'),
    revenue: zloty('Revenue'),
    margin: nullableMargin,
    lines: z.number().int(),
  })).describe('Every month from the first to the last with a ledger line, oldest first; months without one are zero-filled.'),
  products: z.array(z.object({
    product: z.string(),
    group: nullableText.describe('The group of the product\'s latest line with one.'),
    revenue: zloty('Revenue'),
    margin: nullableMargin,
    quantity: z.number(),
    lines: z.number().int(),
    lastDay: isoDay.describe('The day of the product\'s last line.'),
  })).describe('The 50 products with the largest revenue.'),
  groups: z.array(z.object({
    group: nullableText.describe('Null: the lines without a product group.'),
    revenue: zloty('Revenue'),
    margin: nullableMargin,
    products: z.number().int().describe('Distinct products among the group\'s lines.'),
    lines: z.number().int(),
  })).describe('Every product group, by revenue.'),
  totals: z.object({
    revenue: zloty('Revenue'),
    margin: nullableMargin,
    lines: z.number().int(),
    firstDay: isoDay.nullable().describe('The first day with a ledger line; null without any.'),
    lastDay: isoDay.nullable(),
  }),
});

export const timelineSchema = z.object({
  items: z.array(z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('delivery'),
      at: isoDay,
      document: nullableText.describe('The ERP\'s document number; null: the day\'s lines without one.'),
      lines: z.number().int(),
      revenue: zloty('Revenue'),
      products: z.number().int().describe('Distinct products on the delivery\'s lines.'),
    }),
    z.object({
      kind: z.literal('tender'),
      at: isoDay,
      id: z.uuid(),
      title: z.string(),
      outcome: z.enum(TENDER_OUTCOMES),
      value: z.number().nullable().describe('Value in złote.'),
      reason: nullableText,
      winningCompetitorName: nullableText,
    }),
    z.object({
      kind: z.literal('change'),
      at: z.iso.datetime().describe('The instant of the change, UTC.'),
      id: z.number().int(),
      entity: z.enum(HISTORY_ENTITIES),
      entityId: z.uuid(),
      action: z.enum(HISTORY_ACTIONS),
      field: nullableText,
      oldValue: nullableText,
      newValue: nullableText,
      userName: nullableText.describe('Who made the change; null for the system.'),
    }),
  ])).describe('Newest first; a day (a delivery\'s, a tender\'s) is placed at its start, midnight UTC.'),
  nextBefore: z.iso.datetime().nullable().describe('The before of the next, older page; null when nothing older is left.'),
});

export const accountsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/accounts', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['accounts'],
      summary: 'List the accounts you may see (filtered, searched, sorted, paginated)',
      querystring: accountListQuerySchema,
      response: { 200: pageOf(accountSchema) },
    },
  }, async (request) => listAccounts(db, actorOf(request), request.query));

  app.post('/accounts', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['accounts'],
      summary: 'Create an account (a KAM becomes its owner)',
      body: accountCreateSchema,
      response: { 201: accountSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createAccount(db, actorOf(request), request.body)));

  // Static paths: they win over /accounts/:accountId whatever the order they are registered in.
  app.post('/accounts/owner', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['accounts'],
      summary: 'Give many accounts one owner, in one transaction (404 and nothing changed when an id names no account)',
      description: 'Each account whose owner changes gets a new version and the history rows a change of its owner ' +
        'through PATCH /accounts/{accountId} writes (a new owner who was on the team leaves it). The owner is an active ' +
        'KAM or director (else 400), or null. `updated` counts the accounts whose owner changed.',
      body: ownerAssignmentSchema,
      response: { 200: z.object({ updated: z.number().int() }) },
    },
  }, async (request) => assignOwner(db, actorOf(request), request.body));

  app.get('/accounts/export', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['accounts'],
      summary: 'The accounts you may see, filtered, searched and sorted as the list, as a CSV or XLSX file',
      description: 'At most 100,000 accounts (more: 413, narrow the filters). Money columns (revenue and margin of ' +
        'the latest analysis run, annual potential) are absent for marketing. Text is neutralised against spreadsheet formulas.',
      querystring: accountExportQuerySchema,
      response: {
        200: {
          description: 'The file, as an attachment named kamerton-accounts-YYYY-MM-DD.csv or .xlsx.',
          content: {
            'text/csv': { schema: z.string().describe('UTF-8 with BOM; `;` separated, decimal commas, CRLF.') },
            [EXPORT_CONTENT_TYPES.xlsx]: { schema: z.string().meta({ format: 'binary' }).describe('An Excel workbook with one sheet, Accounts.') },
          },
        },
      },
    },
  }, async (request, reply) => {
    const file = await exportAccounts(db, actorOf(request), request.query);
    // The response schema documents the file as text for the OpenAPI document; the payload is its
    // bytes, which Fastify sends as they are, never through the serialiser, so the untyped reply.
    const untyped: FastifyReply = reply;
    return untyped
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(file.body);
  });

  app.get('/accounts/:accountId', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['accounts'],
      summary: 'Read an account',
      params: accountParams,
      response: { 200: accountSchema },
    },
  }, async (request) => getAccount(db, actorOf(request), request.params.accountId));

  app.patch('/accounts/:accountId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['accounts'],
      summary: 'Change an account (409 with the current record when stale)',
      params: accountParams,
      headers: ifMatchHeaders,
      body: accountPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: accountSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    const expected = expectedVersion(version, request.headers['if-match']);
    return updateAccount(db, actorOf(request), request.params.accountId, patch, expected);
  });

  app.delete('/accounts/:accountId', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['accounts'],
      summary: 'Delete an account with its contacts, competitor entries and tenders',
      params: accountParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    await deleteAccount(db, actorOf(request), request.params.accountId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.put('/accounts/:accountId/team', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['accounts'],
      summary: 'Set the account team (the owner, a director or an administrator)',
      params: accountParams,
      headers: ifMatchHeaders,
      body: z.strictObject({
        userIds: z.array(z.uuid()).max(100).describe('Active KAMs or directors besides the owner.'),
        version: versionSchema.optional(),
      }),
      response: { 200: accountSchema },
    },
  }, async (request) => {
    const expected = expectedVersion(request.body.version, request.headers['if-match']);
    return setAccountTeam(db, actorOf(request), request.params.accountId, request.body.userIds, expected);
  });

  app.get('/accounts/:accountId/history', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['history'],
      summary: 'The history of an account, its contacts, competitor entries and tenders, newest first',
      params: accountParams,
      querystring: historyListQuerySchema,
      response: { 200: pageOf(historyEntrySchema) },
    },
  }, async (request) => listAccountHistory(db, actorOf(request), request.params.accountId, request.query));

  app.get('/accounts/:accountId/sales', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['accounts'],
      summary: 'An account\'s sales from the ledger: by month, its top 50 products, its product groups, its totals',
      params: accountParams,
      response: { 200: accountSalesSchema },
    },
  }, async (request) => getAccountSales(db, actorOf(request), request.params.accountId));

  app.get('/accounts/:accountId/timeline', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['history'],
      summary: 'An account\'s deliveries, tenders and dossier changes in one list, newest first, paged backwards in time',
      description: 'Pass a page\'s nextBefore as before for the next, older page. A page never splits the items of one ' +
        'time (the deliveries of one day, the rows of one change), so it may hold more than limit items.',
      params: accountParams,
      querystring: timelineQuerySchema,
      response: { 200: timelineSchema },
    },
  }, async (request) => getAccountTimeline(db, actorOf(request), request.params.accountId, request.query));
};
