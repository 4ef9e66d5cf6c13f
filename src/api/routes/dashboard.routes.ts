/**
 * The portfolio dashboard's aggregates. Registered under /api/v1.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RoutePluginOptions } from '../app.ts';

export const dashboardRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async () => {};
