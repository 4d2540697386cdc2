// The shared front of every vendor route: time the request, verify it on the raw bytes before
// anything parses them, count the outcome. Refusals carry no detail and their bodies are never logged.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IngressMetrics, IngressOutcome } from './metrics';

export interface RouteContext {
  vendor: string;
  route: string;
  metrics: IngressMetrics;
}

export type Verdict = { ok: true } | { ok: false; outcome: IngressOutcome };

/** Raw body as the content-type parsers left it (a Buffer), or an empty one. */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Runs `handle` only for a verified request. `handle` returns its outcome; a throw is an upstream
 * failure (503: the vendor retries, nothing was acknowledged that Temporal did not take).
 */
export async function guarded(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  verify: () => Verdict,
  handle: () => Promise<IngressOutcome>,
  onUpstreamFailure: (err: unknown) => void,
): Promise<FastifyReply> {
  const end = ctx.metrics.duration.startTimer({ vendor: ctx.vendor, route: ctx.route });
  const count = (outcome: IngressOutcome) => {
    ctx.metrics.requests.inc({ vendor: ctx.vendor, route: ctx.route, outcome });
    end();
  };
  const verdict = verify();
  if (!verdict.ok) {
    count(verdict.outcome);
    return reply.code(401).send();
  }
  try {
    const outcome = await handle();
    count(outcome);
    if (outcome === 'invalid' && !reply.sent) return reply.code(400).send();
    return reply;
  } catch (err) {
    onUpstreamFailure(err);
    count('upstream_failure');
    return reply.code(503).send();
  }
}
