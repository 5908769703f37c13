import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';

/**
 * Security headers. The Content-Security-Policy allows no inline script: the DSFR and our islands
 * are module files under /assets. Map tiles come from the configured tile host only.
 * Embeddable pages (/embed, widgets) relax frame-ancestors on their own route.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const tileOrigin = opts.config.tileUrl
      ? new URL(opts.config.tileUrl.replace(/\{[a-z]+\}/g, 'a')).origin
      : null;
    const tileHosts = tileOrigin ? [tileOrigin.replace('://a.', '://*.'), tileOrigin] : [];
    await app.register(helmet, {
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
      hsts: opts.config.publicUrl.startsWith('https:'),
    });
  },
  { name: 'security' },
);
