// The ingress's HTTP server: bodies kept as raw bytes (signatures are computed over them; routes
// parse after verifying), a body limit (413), Prometheus metrics and a health endpoint. No body is
// ever logged: Fastify's own request logging is off.
import Fastify, { type FastifyInstance } from 'fastify';
import type { IngressMetrics } from './metrics';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function createIngressServer(
  metrics: IngressMetrics,
  bodyLimit = DEFAULT_BODY_LIMIT,
): FastifyInstance {
  // Action-link tokens are path parameters of a few hundred characters.
  const app = Fastify({ logger: false, bodyLimit, routerOptions: { maxParamLength: 2048 } });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const outcome = status === 413 ? 'too_large' : status < 500 ? 'invalid' : 'upstream_failure';
    const vendor = request.url.split('/')[1] ?? 'unknown';
    const route = request.routeOptions.url?.split('/').pop() || 'unknown';
    metrics.requests.inc({ vendor, route, outcome });
    void reply.code(status).send();
  });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return app;
}
