// The codec server (Temporal's remote codec protocol): POST /encode and POST /decode take and give
// `{"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}`, so the Web UI and
// `temporal workflow show --codec-endpoint` show decoded payloads. CORS for the UI's origins; a
// bearer token on every request, in the Authorization header or, for the Web UI (which cannot set
// headers on a dev server), as the path prefix /ui/<token>. No payload and no request is logged.
import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const bodySchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(base64).optional(), data: base64.optional() })),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins allowed to call from a browser (the Web UI's), e.g. http://localhost:8233. */
  corsOrigins: string[];
  bodyLimit?: number;
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  return header?.[1] ?? (request.params as { token?: string }).token;
}

export async function createCodecServer(options: CodecServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024 });
  await app.register(cors, {
    origin: options.corsOrigins,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Namespace'],
    maxAge: 600,
  });
  app.setErrorHandler((err, _request, reply) => {
    // Only the error's own words: never the request body.
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    void reply.code(status).send({ message: status < 500 ? (err as Error).message : 'codec server error' });
  });
  app.addHook('onRequest', async (request, reply) => {
    // A CORS preflight carries no credentials; the health check says nothing.
    if (request.method === 'OPTIONS' || request.url === '/healthz') return;
    const given = presentedToken(request);
    if (!given || !sameSecret(given, options.token))
      return reply.code(401).header('www-authenticate', 'Bearer').send({ message: 'bearer token required' });
  });
  const route = (op: 'encode' | 'decode') => async (request: FastifyRequest) => {
    const body = bodySchema.safeParse(request.body);
    if (!body.success)
      throw Object.assign(new Error(`expected {"payloads":[{"metadata":{},"data":"<base64>"}]}`), {
        statusCode: 400,
      });
    try {
      const out = await options.codec[op](body.data.payloads.map(fromJson));
      return { payloads: out.map(toJson) };
    } catch (err) {
      throw Object.assign(new Error((err as Error).message), { statusCode: 422 });
    }
  };
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, route(op));
    app.post(`/ui/:token/${op}`, route(op));
  }
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}
