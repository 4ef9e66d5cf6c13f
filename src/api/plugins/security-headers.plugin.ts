/**
 * Security headers on every answer: no MIME sniffing, no framing (clickjacking), no referrer to other
 * sites, and no caching of API answers, which carry personal data. The web app's pages also get a
 * Content-Security-Policy that lets only the app's own scripts run (routes/web.routes.ts).
 */
import { globalPlugin } from './global-plugin.ts';

export const securityHeadersPlugin = globalPlugin('kamerton-security-headers', async (app) => {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (request.url.startsWith('/api/v1/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
});
