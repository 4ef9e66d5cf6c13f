/**
 * Fastify encapsulates every registered plugin: its decorators and hooks stay inside it. The app's
 * own plugins (errors, authentication, the third-party set-ups) must reach every route, so they are
 * marked with Fastify's documented `skip-override` property, which is what fastify-plugin sets.
 * fastify-plugin itself is not among our dependencies (only transitively), hence this helper.
 */
import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/** `plugin`, marked to share its decorators and hooks with the instance that registers it. */
export function globalPlugin<Options extends FastifyPluginOptions>(
  name: string,
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}
