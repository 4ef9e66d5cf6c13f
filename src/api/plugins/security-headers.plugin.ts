/**
 * Security headers on every answer: no MIME sniffing, no framing (clickjacking), no referrer to other
 * sites, and no caching of API answers, which carry personal data. The start page also gets a
 * Content-Security-Policy that allows only its own inline script and style, by their hashes, so that
 * injected markup could run nothing (routes/start.routes.ts computes them).
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
