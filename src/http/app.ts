// Builds the Fastify application: conventions, auth, OpenAPI, every area's routes and the UI.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { safeError, safeRequest } from '../redaction.ts';
import { rangedFormats } from '../dates.ts';
import { sha256 } from '../workspaces/secrets.ts';
import { registerWorkspaceRoutes } from '../workspaces/routes.ts';
import { registerCustomerRoutes } from '../customers/routes.ts';
import { registerCustomerIdentityRoutes } from '../customers/identity-routes.ts';
import { registerCustomerRecordRoutes } from '../customers/record-routes.ts';
import { registerImportRoutes } from '../customers/import-routes.ts';
import { registerMetricsRoutes } from '../events/metrics-routes.ts';
import { registerEventRoutes } from '../events/routes.ts';
import { registerEventExplorerRoutes } from '../events/explorer-routes.ts';
import { registerTrackerRoutes } from '../events/tracker-routes.ts';
import { registerCommerceRoutes } from '../commerce/routes.ts';
import { registerCommerceImportRoutes } from '../commerce/import-routes.ts';
import { registerAnalyticsRoutes } from '../analytics/routes.ts';
import { registerSegmentRoutes } from '../segments/routes.ts';
import { registerChannelRoutes } from '../messaging/channel-routes.ts';
import { registerMessageRoutes } from '../messaging/message-routes.ts';
import { registerSandboxRoutes } from '../messaging/sandbox-routes.ts';
import { registerTrackingRoutes } from '../messaging/tracking-routes.ts';
import { registerPushRoutes } from '../messaging/push-routes.ts';
import { registerSuppressionRoutes } from '../messaging/suppression-routes.ts';
import { registerReceiptRoutes } from '../messaging/receipt-routes.ts';
import { registerTemplateRoutes } from '../messaging/template-routes.ts';
import { registerCampaignRoutes } from '../campaigns/routes.ts';
import { registerJourneyRoutes } from '../journeys/routes.ts';
import { registerDemoClockRoutes } from './demo-clock.ts';
import { registerListAudienceRoutes } from '../campaigns/list-audience-routes.ts';
import '../areas.ts';
import { authHook } from './auth.ts';
import { registerBodyHandling } from './body.ts';
import type { App, AppDeps } from './deps.ts';
import { errorHandler } from './errors.ts';
import { documentErrors } from './openapi.ts';
import { refuseUnstorableInput } from './storable.ts';
import { registerHealthRoutes } from './health.ts';

// Routes import these from deps.ts (importing them from here would be a loop); kept for callers of buildApp.
export type { App, AppDeps } from './deps.ts';

export const webDistDir = fileURLToPath(new URL('../../dist/web', import.meta.url));

/**
 * A hop count trusts that many proxies nearest to Rapport, whoever they are (Fastify itself no
 * longer accepts a bare number): right only when Rapport can be reached through them alone.
 */
function trustProxyOption(trust: Config['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust.join(',');
}

/**
 * The web UI and /docs load only their own scripts (Mantine and Swagger UI set inline styles, so
 * styles may be inline), and no other site may frame Rapport. The demo shop stands for a shop's
 * own site (inline tracker snippet) and the tracker script is embedded by other sites: they keep
 * only nosniff. Images may come from any https site: the Sandbox inbox and the template preview
 * draw e-mails in a sandboxed srcdoc iframe, which takes this policy, and e-mails show the shop's
 * product images from its own servers or CDN. Nothing else is widened.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

async function securityHeaders(request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, payload: unknown) {
  reply.header('x-content-type-options', 'nosniff');
  const path = request.url.split('?')[0] ?? '';
  if (path === '/t.js' || path === '/demo-shop' || path.startsWith('/demo-shop/')) return payload;
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'same-origin');
  return payload;
}

export async function buildApp(deps: AppDeps, opts: { logger?: boolean; logStream?: NodeJS.WritableStream } = {}): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    // The router's own refusals (a path parameter over its length limit, a malformed URL) in the one error form.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    // Logs hold no query strings (search terms), no query parameters and no personal data: src/redaction.ts.
    logger:
      opts.logger === false || config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, serializers: { req: safeRequest, err: safeError }, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    // Proxy headers are believed only from the proxies the operator named (RAPPORT_TRUST_PROXY):
    // otherwise any client could pick its address and escape the per-address login limit.
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true },
      // After ajv-formats: its date and date-time narrowed to the years Rapport accepts (src/dates.ts).
      onCreate: (ajv) => Object.entries(rangedFormats(fullFormats)).forEach(([name, format]) => ajv.addFormat(name, format)),
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler);
  app.decorateRequest('auth', null);

  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: config.apiKeyRateLimit,
    timeWindow: '1 minute',
    // Limit per API key; people with sessions are limited only where a route says so (login).
    allowList: (request) => !request.headers.authorization,
    keyGenerator: (request) => `key:${sha256(request.headers.authorization ?? '')}`,
    // The wait is what the caller needs (context.after is the time left, not the window).
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests: retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s (at most ${context.max} a minute)`, {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Rapport API', version: '0.1.0', description: 'REST API of Rapport, the self-hosted CRM.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'rapport_session' },
          secretKey: { type: 'http', scheme: 'bearer', description: 'A secret API key: rk_…' },
        },
      },
      security: [{ session: [] }, { secretKey: [] }],
    },
    transform: documentErrors,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Before body validation, so a caller without the right to a route learns nothing from its schema.
  app.addHook('preValidation', authHook(deps.database));
  registerBodyHandling(app); // Content-Encoding, and JSON strings PostgreSQL cannot store: src/http/body.ts
  app.addHook('preHandler', refuseUnstorableInput); // query values and numbers PostgreSQL cannot take: src/http/storable.ts
  app.addHook('onSend', securityHeaders);

  await registerHealthRoutes(app, deps);
  await registerWorkspaceRoutes(app, deps);
  await registerCustomerRoutes(app, deps);
  await registerCustomerIdentityRoutes(app, deps);
  await registerCustomerRecordRoutes(app, deps);
  await registerImportRoutes(app, deps);
  await registerMetricsRoutes(app, deps);
  await registerEventRoutes(app, deps);
  await registerEventExplorerRoutes(app, deps);
  await registerTrackerRoutes(app, deps);
  await registerCommerceRoutes(app, deps);
  await registerCommerceImportRoutes(app, deps);
  await registerAnalyticsRoutes(app, deps);
  await registerSegmentRoutes(app, deps);
  await registerChannelRoutes(app, deps);
  await registerMessageRoutes(app, deps);
  await registerSandboxRoutes(app, deps);
  await registerTrackingRoutes(app, deps);
  await registerPushRoutes(app, deps);
  await registerSuppressionRoutes(app, deps);
  await registerReceiptRoutes(app, deps);
  await registerTemplateRoutes(app, deps);
  await registerCampaignRoutes(app, deps);
  await registerJourneyRoutes(app, deps);
  await registerDemoClockRoutes(app, deps);
  await registerListAudienceRoutes(app, deps);

  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const haveUi = fs.existsSync(`${webDistDir}/index.html`);
  if (haveUi) {
    await app.register(fastifyStatic, { root: webDistDir, prefix: '/', wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path.startsWith('/v1/') || request.method !== 'GET') {
      return errorHandler(new AppError('not_found', `${request.method} ${path} does not exist`), request, reply);
    }
    if (!haveUi) {
      return reply
        .type('text/plain; charset=utf-8')
        .status(503)
        .send('The web UI is not built. Run `npm run build:web` (npm start does it for you), then reload.');
    }
    // The UI is a single-page app: its routes all load index.html.
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  return app;
}
