// ERPNext / Frappe REST simulator, HTTPS only, with a certificate whose expiry tests choose
// (`daysValid` at start, then POST /__admin/certificate). Routes live in ./routes.
import { startHttpSimulator, type HttpSimulator, type SimulatorTlsOptions } from '../kit/http-simulator';
import { erpnextFaultBody } from './errors';
import { registerRateLimiter } from './rateLimiter';
import { registerMethodRoutes } from './routes/method';
import { registerResourceRoutes } from './routes/resource';
import { createErpnextState, type ErpnextState, type ValidationRule } from './state';

export interface ErpnextSimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  apiKey?: string;
  apiSecret?: string;
  /** The user the API key belongs to (default `Administrator`). */
  user?: string;
  /** Validity of the first certificate in days; overrides tls.daysValid. Negative = already expired. */
  daysValid?: number;
  /** Simulator name in logs and recordings (e.g. `erpnext-eu` for a second region). */
  name?: string;
  /** The site's time zone (System Settings), IANA; default UTC. */
  timeZone?: string;
}

export async function startErpnextSimulator(
  options: ErpnextSimulatorOptions,
): Promise<HttpSimulator<ErpnextState>> {
  if (!options.tls) throw new Error('The ERPNext simulator serves HTTPS only: pass tls');
  const credentials = {
    apiKey: options.apiKey ?? 'sim-key',
    apiSecret: options.apiSecret ?? 'sim-secret',
    user: options.user ?? 'Administrator',
  };
  return startHttpSimulator<ErpnextState>({
    name: options.name ?? 'erpnext',
    port: options.port,
    host: options.host,
    tls: { ...options.tls, daysValid: options.daysValid ?? options.tls.daysValid },
    createState: () => createErpnextState(options.timeZone),
    faultBody: erpnextFaultBody,
    routes(app, ctx) {
      registerMethodRoutes(app, ctx, credentials);
      registerResourceRoutes(app, ctx, credentials);
      registerRateLimiter(
        app,
        () => ctx.state,
        (url) => url.startsWith('/__admin'),
      );
      // Admin (never authenticated or faulted): the site's own validation rules and rate limit.
      app.post('/__admin/rate-limit', async (request) => {
        const { limit, window } = (request.body ?? {}) as { limit?: unknown; window?: unknown };
        if (typeof limit !== 'number' || typeof window !== 'number' || limit <= 0 || window <= 0)
          throw Object.assign(new Error('limit and window must be positive numbers of seconds'), {
            statusCode: 400,
          });
        ctx.state.rateLimit = { limit, window, windowStart: Date.now(), usedMicros: 0 };
        return { limit, window };
      });
      app.post('/__admin/validation-rules', async (request) => {
        const rule = request.body as ValidationRule;
        for (const key of ['doctype', 'field', 'equals', 'message'] as const)
          if (typeof rule?.[key] !== 'string')
            throw Object.assign(new Error(`${key} must be a string`), { statusCode: 400 });
        ctx.state.rules.push(rule);
        return { rules: ctx.state.rules };
      });
    },
  });
}
