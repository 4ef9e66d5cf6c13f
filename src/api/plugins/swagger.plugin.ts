/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (fastify-type-provider-zod's
 * transform), served at GET /api/openapi.json (src/api/routes/openapi.routes.ts) and browsable with
 * Swagger UI at /api/docs. Every operation carries `x-access`, the route's config.access, so that a
 * test (or a reader) can enumerate the routes with their access rules from the document alone; and
 * `security`, the session cookie (and the CSRF header for state-changing methods) unless public.
 */
import { readFileSync } from 'node:fs';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { isStateChanging, SESSION_COOKIE } from './auth.plugin.ts';
import { globalPlugin } from './global-plugin.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export const DOCS_PREFIX = '/api/docs';

const zodTransform = createJsonSchemaTransform({});

/** The zod transform, plus the route's access rule and security requirement on its operation. */
const transform: SwaggerTransform = (document) => {
  const result = zodTransform(document);
  const access = document.route.config?.access;
  if (result.schema.hide === true || access === undefined) return result;
  const methods = Array.isArray(document.route.method) ? document.route.method : [document.route.method];
  const requirement: Record<string, string[]> = methods.some(isStateChanging) ? { session: [], csrf: [] } : { session: [] };
  const security = access === 'public' ? [] : [requirement];
  const schema: FastifySchema & { 'x-access': unknown } = { ...result.schema, security, 'x-access': access };
  return { schema, url: result.url };
};

const description = [
  'Kamerton\'s REST API. Sign in with POST /api/v1/auth/login: the session lives in the httpOnly cookie',
  `\`${SESSION_COOKIE}\`, and every state-changing request (POST, PUT, PATCH, DELETE) other than sign-in`,
  'and the first-run setup sends the session\'s `csrfToken` in the `X-CSRF-Token` header.',
  '',
  'Errors are `{code, message, details}`: invalid-input 400 (details.issues lists each field), unauthenticated 401,',
  'forbidden 403, not-found 404, conflict 409 (a stale version: details.current holds the current record),',
  'too-large 413, too-many-requests 429, internal 500.',
  '',
  'Each operation\'s `x-access` says who may call it: "public", or the roles that may.',
].join('\n');

export const swaggerPlugin = globalPlugin('kamerton-openapi', async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kamerton API', version: packageJson.version, description },
      tags: [
        { name: 'system', description: 'Health, readiness and this document.' },
        { name: 'setup', description: 'The first-run setup of an empty database.' },
        { name: 'auth', description: 'Signing in and out.' },
        { name: 'users', description: 'Users and roles (administrators), and the directory of names every user reads.' },
        { name: 'accounts', description: 'Account dossiers: the company, its ERP codes, owner and team, key-client facts.' },
        { name: 'contacts', description: 'The client\'s people: the decision-making map, and GDPR erasure.' },
        { name: 'competitors', description: 'Competitors, and those working on each account.' },
        { name: 'tenders', description: 'Tenders and offers, won and lost, and why.' },
        { name: 'history', description: 'Who changed what in a dossier, and when.' },
        { name: 'demo', description: 'The demo company, for an empty database.' },
      ],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie set by sign-in.' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The session\'s csrfToken; required on state-changing requests.' },
        },
      },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
});
