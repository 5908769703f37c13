import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../../config.js';

function helmetOptions(config: Config): HelmetOptions {
  const tileOrigin = config.tileUrl ? new URL(config.tileUrl.replace(/\{[a-z]+\}/g, 'a')).origin : null;
  const tileHosts = tileOrigin ? [tileOrigin.replace('://a.', '://*.'), tileOrigin] : [];
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...tileHosts],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // Allow the OpenStreetMap-style tile hosts to be fetched without CORP trouble.
    crossOriginEmbedderPolicy: false,
    hsts: config.publicUrl.startsWith('https:'),
  };
}

/**
 * Security headers. The Content-Security-Policy allows no inline script: the DSFR and our islands
 * are module files under /assets. Map tiles come from the configured tile host only.
 * Embeddable pages (/embed, widgets) relax frame-ancestors on their own route.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    // Same options, typed twice: helmet ships separate ESM and CommonJS declarations of one shape.
    await app.register(fastifyHelmet, helmetOptions(opts.config) as FastifyHelmetOptions);
  },
  { name: 'security' },
);

/**
 * The same headers, for the answers Fastify gives before any hook runs (a malformed escape in the URL, a path
 * segment over the limit): those French pages used to go out without CSP or anti-framing headers.
 */
export function securityHeadersBeforeRouting(
  config: Config,
): (req: IncomingMessage, res: ServerResponse) => void {
  const apply = helmet(helmetOptions(config));
  return (req, res) => apply(req, res, () => {});
}
