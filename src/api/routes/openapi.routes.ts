/** The OpenAPI document as JSON, for clients, code generators and the authorisation-matrix test. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const openApiRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/openapi.json', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'This API\'s OpenAPI 3.1 document' },
  }, async () => app.swagger());
};
