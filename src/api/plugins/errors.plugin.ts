/**
 * One error handler for the whole API: a KamertonError becomes its HTTP status by an exhaustive
 * switch on its code, a request that fails its schema becomes 400 invalid-input with every issue, the
 * rate limiter's refusal becomes 429, and anything unexpected becomes a logged 500 whose message never
 * leaves the server. Every error body is `{code, message, details}`.
 *
 * Also the 404 handler, rate-limited because an attacker could otherwise search for valid URLs
 * (fastify/demo's reason).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isKamertonError, type ErrorCode } from '../../core/errors.ts';
import { globalPlugin } from './global-plugin.ts';

/** The domain's codes, plus the two only the HTTP layer produces. */
export type ApiErrorCode = ErrorCode | 'too-many-requests' | 'internal';

export type ApiErrorBody = { code: ApiErrorCode; message: string; details: Record<string, unknown> };

/** One problem with a request's input: `path` names the field (dotted, `contacts.0.name`), `in` the part. */
export type InputIssue = { path: string; message: string; in: string };

/** The HTTP status of a domain error code. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid-input': return 400;
    case 'unauthenticated': return 401;
    case 'forbidden': return 403;
    case 'not-found': return 404;
    case 'conflict': return 409;
    case 'too-large': return 413;
    default: {
      const unknown: never = code;
      throw new Error(`no HTTP status for error code ${String(unknown)}`);
    }
  }
}

/** The rate limiter's refusal (made by its errorResponseBuilder, see rate-limit.plugin.ts). */
export class TooManyRequestsError extends Error {
  readonly statusCode = 429;
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`Too many attempts: try again in ${formatWait(retryAfterSeconds)}.`);
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** A client error of Fastify's own (an unsupported media type, a malformed JSON body...) by its status. */
function codeOfStatus(status: number): ApiErrorCode {
  switch (status) {
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 409: return 'conflict';
    case 413: return 'too-large';
    case 429: return 'too-many-requests';
    default: return 'invalid-input';
  }
}

type ValidationItem = { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> };

/** The issues of a request that failed its schema, one per field (an unknown field named as sent). */
function inputIssues(validation: readonly ValidationItem[], part: string): InputIssue[] {
  return validation.flatMap((item) => {
    const path = (item.instancePath ?? '').split('/').filter((segment) => segment !== '').join('.');
    const keys = item.params?.keys;
    if (item.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ path: path === '' ? String(key) : `${path}.${String(key)}`, message: 'Unknown field.', in: part }));
    }
    return [{ path, message: item.message ?? 'Invalid value.', in: part }];
  });
}

function send(reply: FastifyReply, status: number, body: ApiErrorBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isKamertonError(error)) {
    return send(reply, httpStatusOf(error.code), { code: error.code, message: error.message, details: error.details });
  }
  if (error instanceof TooManyRequestsError) {
    return send(reply, 429, { code: 'too-many-requests', message: error.message, details: { retryAfterSeconds: error.retryAfterSeconds } });
  }
  const part = error.validationContext ?? 'body';
  if (hasZodFastifySchemaValidationErrors(error) || Array.isArray(error.validation)) {
    const issues = inputIssues((error.validation ?? []) as ValidationItem[], part);
    const first = issues[0];
    const message = first === undefined ? `Invalid ${part}.` : `Invalid ${part}: ${first.path === '' ? '' : `${first.path}: `}${first.message}`;
    return send(reply, 400, { code: 'invalid-input', message, details: { ...(first ? { field: first.path } : {}), issues } });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return send(reply, status, { code: codeOfStatus(status), message: error.message, details: {} });
  }
  request.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
  return send(reply, 500, { code: 'internal', message: 'Internal error', details: {} });
}

/** The rate limit of the 404 handler: generous for a person, tight for a scanner. */
export const NOT_FOUND_RATE_LIMIT = { max: 60, timeWindow: '1 minute' } as const;

/** Sets the error handler and the rate-limited 404 handler; needs @fastify/rate-limit registered first. */
export const errorsPlugin = globalPlugin('kamerton-errors', async (app) => {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler({ preHandler: app.rateLimit(NOT_FOUND_RATE_LIMIT) }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    request.log.warn({ method: request.method, url: path }, 'resource not found');
    return send(reply, 404, { code: 'not-found', message: `No resource ${request.method} ${path}.`, details: {} });
  });
});
