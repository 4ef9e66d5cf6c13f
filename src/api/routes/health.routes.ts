/**
 * Liveness and readiness, for a process supervisor or a load balancer: /api/health answers while the
 * process runs; /api/ready only when the database answers and carries every migration of this code.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { schemaStatus } from '../../db/migrate.ts';
import type { RoutePluginOptions } from '../app.ts';

const readySchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  reason: z.string().optional().describe('Why the server is not ready.'),
  migrations: z.object({ applied: z.number(), known: z.number() }).optional(),
});

/** A readiness probe that waits for a connection forever is no probe: give up after this long. */
const READY_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const healthRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  app.get('/api/health', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Liveness: the process is running',
      response: { 200: z.object({ status: z.literal('ok') }) },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/api/ready', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Readiness: the database is reachable and fully migrated',
      response: { 200: readySchema, 503: readySchema },
    },
  }, async (request, reply) => {
    let status;
    try {
      status = await withTimeout(schemaStatus(database.pool), READY_TIMEOUT_MS);
    } catch (error) {
      // The details (host names, credentials in a connection error) stay in the log.
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'not-ready', reason: 'The database is unreachable or its schema is not this version\'s.' });
    }
    const migrations = { applied: status.applied, known: status.known };
    if (status.pending > 0) {
      return reply.code(503).send({ status: 'not-ready', reason: `${status.pending} migration(s) not yet applied.`, migrations });
    }
    return { status: 'ready' as const, migrations };
  });
};
