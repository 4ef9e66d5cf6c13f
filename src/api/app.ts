/**
 * The HTTP application, built the way fastify/demo builds its own: plugins first (cookies, the rate
 * limiter, the error handler, authentication and authorisation, the OpenAPI document and its UI),
 * then the routes, one plugin per resource. `buildApp` returns the instance unstarted: the server
 * listens on it, the tests call `app.inject()` on it. A route plugin registered on it afterwards (and
 * before `ready()`) is held to the same rules, config.access included.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { authPlugin } from './plugins/auth.plugin.ts';
import { errorsPlugin } from './plugins/errors.plugin.ts';
import { rateLimitPlugin } from './plugins/rate-limit.plugin.ts';
import { securityHeadersPlugin } from './plugins/security-headers.plugin.ts';
import { DOCS_PREFIX, swaggerPlugin } from './plugins/swagger.plugin.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { openApiRoutes } from './routes/openapi.routes.ts';
import { setupRoutes } from './routes/setup.routes.ts';
import { usersRoutes } from './routes/users.routes.ts';
import { accountsRoutes } from './routes/accounts.routes.ts';
import { competitorsRoutes } from './routes/competitors.routes.ts';
import { contactsRoutes } from './routes/contacts.routes.ts';
import { analysisRoutes } from './routes/analysis.routes.ts';
import { dashboardRoutes } from './routes/dashboard.routes.ts';
import { digestRoutes } from './routes/digest.routes.ts';
import { importsRoutes } from './routes/imports.routes.ts';
import { demoRoutes } from './routes/demo.routes.ts';
import { tendersRoutes } from './routes/tenders.routes.ts';
import { winBackRoutes } from './routes/win-back.routes.ts';
import { refusalsRoutes } from './routes/refusals.routes.ts';
import { activityRoutes } from './routes/activity.routes.ts';
import { webRoutes } from './routes/web.routes.ts';

/** What every route plugin is registered with. */
export type RoutePluginOptions = {
  database: Database;
  config: Config;
  /** The web app's build (web/dist by default: routes/web.routes.ts); the tests give a folder of their own. */
  webDir?: string;
};

export type RoutePlugin = FastifyPluginAsyncZod<RoutePluginOptions> | FastifyPluginAsync<RoutePluginOptions>;

/** A route plugin and the prefix its paths are registered under (none: the plugin names full paths). */
export type RouteRegistration = { plugin: RoutePlugin; prefix?: string };

/**
 * The route plugins, registered in this order. A new resource adds its plugin here; every one of its
 * routes must declare config.access, or the app refuses to start.
 */
export const routePlugins: RouteRegistration[] = [
  { plugin: healthRoutes },
  { plugin: openApiRoutes },
  { plugin: setupRoutes },
  { plugin: authRoutes },
  { plugin: usersRoutes },
  { plugin: accountsRoutes, prefix: '/api/v1' },
  { plugin: contactsRoutes, prefix: '/api/v1' },
  { plugin: competitorsRoutes, prefix: '/api/v1' },
  { plugin: tendersRoutes, prefix: '/api/v1' },
  { plugin: refusalsRoutes, prefix: '/api/v1' },
  { plugin: demoRoutes, prefix: '/api/v1' },
  { plugin: importsRoutes, prefix: '/api/v1' },
  { plugin: analysisRoutes, prefix: '/api/v1' },
  { plugin: dashboardRoutes, prefix: '/api/v1' },
  { plugin: winBackRoutes, prefix: '/api/v1' },
  { plugin: activityRoutes, prefix: '/api/v1' },
  { plugin: digestRoutes, prefix: '/api/v1' },
  // Last, for readability only: its wildcard takes what no other route does, wherever it is registered.
  { plugin: webRoutes },
];

export type BuildAppOptions = {
  database: Database;
  config: Config;
  /** Fastify's logger: false (the default, for tests), true (JSON at config.logLevel), or its options. */
  logger?: boolean | object;
  /** The web app's build to serve (web/dist by default). */
  webDir?: string;
};

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { database, config, webDir } = options;
  const logger: FastifyServerOptions['logger'] = options.logger === true
    ? { level: config.logLevel }
    : (options.logger ?? false) as FastifyServerOptions['logger'];
  const app = Fastify({ logger, trustProxy: config.trustProxy });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(securityHeadersPlugin);
  await app.register(rateLimitPlugin);
  // Before any plugin that makes its own context (Swagger UI), so that every context inherits the
  // error handler; after the rate limiter, which the 404 handler uses.
  await app.register(errorsPlugin);
  // Before Swagger UI too, so that its onRoute hook sees every route: ours must declare their access,
  // Swagger UI's pages are public.
  await app.register(authPlugin, { database, config, publicPrefixes: [DOCS_PREFIX] });
  await app.register(swaggerPlugin);

  for (const { plugin, prefix } of routePlugins) {
    await app.register(plugin as FastifyPluginAsync<RoutePluginOptions>, { database, config, webDir, ...(prefix === undefined ? {} : { prefix }) });
  }
  return app;
}
