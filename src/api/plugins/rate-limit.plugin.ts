/**
 * @fastify/rate-limit, off by default (global: false): a route opts in through `config.rateLimit`.
 * Its refusal is a TooManyRequestsError, which the error handler turns into 429 too-many-requests.
 * The counters live in this process's memory: one server is what Kamerton runs (docs/operations.md).
 */
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { TooManyRequestsError } from './errors.plugin.ts';
import { globalPlugin } from './global-plugin.ts';

export const rateLimitPlugin = globalPlugin('kamerton-rate-limit', async (app) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new TooManyRequestsError(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
});

/** How many sign-in attempts one address may make for one e-mail address in the window. */
export const LOGIN_ATTEMPTS = 10;

/**
 * The sign-in route's limit: 10 attempts per 15 minutes per client address and e-mail address, so a
 * password cannot be guessed by brute force while one person's typos do not lock out the office
 * behind the same address. Counted after the body is parsed (preHandler), as the key needs the e-mail.
 */
export const loginRateLimit: RateLimitOptions = {
  max: LOGIN_ATTEMPTS,
  timeWindow: '15 minutes',
  hook: 'preHandler',
  keyGenerator: (request: FastifyRequest) => {
    const body = request.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    return `login|${request.ip}|${email}`;
  },
};
