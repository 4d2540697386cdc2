// The ingress's Prometheus metrics (prom-client: the ingress is plain Node, not a Temporal worker,
// so the SDK's metrics runtime does not serve it). Labels are bounded: vendor, route, outcome.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type IngressOutcome =
  | 'accepted'
  /** A confirmation page shown (GET of an action link): nothing acted on. */
  | 'shown'
  /** Verified and acknowledged, but nothing to do (a Zoom event that is not a training's end). */
  | 'ignored'
  | 'expired'
  | 'duplicate'
  | 'refused'
  | 'refused_signature'
  | 'stale'
  | 'invalid'
  | 'too_large'
  | 'upstream_failure';

export interface IngressMetrics {
  registry: Registry;
  requests: Counter<'vendor' | 'route' | 'outcome'>;
  duration: Histogram<'vendor' | 'route'>;
  signingSecret: Counter<'vendor' | 'secret'>;
}

export function createIngressMetrics(): IngressMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'ingress_requests_total',
      help: 'Inbound vendor requests by outcome',
      labelNames: ['vendor', 'route', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'ingress_request_duration_seconds',
      help: 'Time from request to answer (Slack retries after 3 s)',
      labelNames: ['vendor', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers: [registry],
    }),
    signingSecret: new Counter({
      name: 'ingress_signing_secret_matches_total',
      help: 'Verified requests by the signing secret that matched (previous = a rotation is not finished)',
      labelNames: ['vendor', 'secret'],
      registers: [registry],
    }),
  };
}
