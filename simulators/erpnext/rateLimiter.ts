// Frappe's site-wide rate limiter (`rate_limit: {limit, window}` in site_config, frappe/rate_limiter.py):
// a budget of request processing time (`limit` seconds) per fixed `window` seconds. Every answer
// carries X-RateLimit-Limit/Remaining/Reset (microseconds, seconds); once the budget is spent,
// requests get 429 "Too Many Requests" in plain text with Retry-After until the window ends.
import type { FastifyInstance } from 'fastify';

export interface RateLimit {
  /** Seconds of processing time allowed per window. */
  limit: number;
  /** Window length in seconds. */
  window: number;
  windowStart: number;
  usedMicros: number;
}

export function registerRateLimiter(
  app: FastifyInstance,
  /** The simulator's state is replaced on reset: read it per request. */
  state: () => { rateLimit?: RateLimit },
  isAdmin: (url: string) => boolean,
): void {
  // Requests the limiter itself refused: they used no processing time.
  const refused = new WeakSet<object>();
  const current = (): RateLimit | undefined => {
    const rl = state().rateLimit;
    if (!rl) return undefined;
    const now = Date.now();
    if (now >= rl.windowStart + rl.window * 1000) {
      rl.windowStart = now - ((now - rl.windowStart) % (rl.window * 1000));
      rl.usedMicros = 0;
    }
    return rl;
  };
  const headers = (rl: RateLimit) => {
    const resetSeconds = Math.max(0, Math.ceil((rl.windowStart + rl.window * 1000 - Date.now()) / 1000));
    return {
      'x-ratelimit-limit': String(rl.limit * 1_000_000),
      'x-ratelimit-remaining': String(Math.max(0, rl.limit * 1_000_000 - rl.usedMicros)),
      'x-ratelimit-reset': String(resetSeconds),
      resetSeconds,
    };
  };

  app.addHook('onRequest', async (request, reply) => {
    if (isAdmin(request.url)) return;
    const rl = current();
    if (!rl) return;
    if (rl.usedMicros >= rl.limit * 1_000_000) {
      const { resetSeconds, ...h } = headers(rl);
      refused.add(request);
      return reply
        .code(429)
        .headers({ ...h, 'retry-after': String(Math.max(1, resetSeconds)) })
        .type('text/plain')
        .send('Too Many Requests');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const rl = current();
    if (!rl || refused.has(request) || isAdmin(request.url)) return payload;
    // Time since the request arrived, including any latency a fault added (as a slow query would).
    rl.usedMicros += Math.round(reply.elapsedTime * 1000);
    const { resetSeconds: _reset, ...h } = headers(rl);
    reply.headers(h);
    return payload;
  });
}
