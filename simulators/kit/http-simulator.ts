// Shared base of the HTTP(S) vendor simulators: a Fastify server with request recording, fault
// injection and (for HTTPS) a certificate from the local CA that can be re-issued while running.
// Admin endpoints live under /__admin and are never faulted, recorded or authenticated.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IssuedCertificate, LocalCa } from './local-ca';

export const ADMIN_PREFIX = '/__admin';
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RECORDED_REQUESTS = 5000;

export interface FaultSpec {
  /** HTTP status to answer with; 0 or absent = only add latency. */
  status?: number;
  /** `Retry-After` value; defaults to 1 for 429, absent otherwise; `null` omits the header. */
  retryAfterSeconds?: number | null;
  latencyMs?: number;
  /**
   * The request is processed at once (a write commits) but its answer is held this long: a client
   * that dies meanwhile never learns that the vendor accepted it.
   */
  answerLatencyMs?: number;
  /** How many matching requests the fault applies to; absent = until reset. */
  times?: number;
  /** Path prefix the fault applies to; absent = every non-admin path. */
  path?: string;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number | null;
  hits: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  time: string;
  status?: number;
  fault?: number;
}

export interface CertificateInfo {
  notBefore: string;
  notAfter: string;
  serialNumber: string;
}

export interface SimulatorTlsOptions {
  ca: LocalCa;
  /** Validity of the certificate issued at start, in days (default 365). */
  daysValid?: number;
  /** SAN entries; default localhost, 127.0.0.1 and ::1. */
  hosts?: string[];
}

/** What a simulator's routes see. `state` is replaced by a fresh one on reset: read it per request. */
export interface SimulatorContext<S> {
  readonly name: string;
  readonly state: S;
  /** Base URL, valid once the server listens (i.e. inside handlers). */
  readonly url: string;
  /** Sends an error in the vendor's own shape (the simulator's `faultBody`). */
  sendError(reply: FastifyReply, status: number, message: string): FastifyReply;
}

export interface HttpSimulatorOptions<S> {
  name: string;
  port?: number;
  host?: string;
  tls?: SimulatorTlsOptions;
  createState: () => S;
  /** Vendor-shaped error body for a status (faults, 404s, parse errors). Strings go out as text/plain. */
  faultBody: (status: number, message: string) => unknown;
  routes: (app: FastifyInstance, ctx: SimulatorContext<S>) => void;
}

export interface HttpSimulator<S = unknown> {
  name: string;
  url: string;
  port: number;
  /** The simulator's current recorded state (for in-process tests; prefer the vendor's read API). */
  readonly state: S;
  /** The certificate served to new handshakes (HTTPS only). */
  readonly certificate: CertificateInfo | undefined;
  close(): Promise<void>;
  /** Re-issues the certificate with this expiry; new TLS handshakes get it. HTTPS only. */
  setCertificateExpiry(notAfter: Date, notBefore?: Date): Promise<CertificateInfo>;
}

function certificateInfo(issued: IssuedCertificate): CertificateInfo {
  return {
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    serialNumber: issued.serialNumber,
  };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${field} must be a non-negative number`);
  }
  return value;
}

export function parseFaultSpec(body: unknown): FaultSpec {
  if (typeof body !== 'object' || body === null) throw new Error('fault body must be a JSON object');
  const b = body as Record<string, unknown>;
  const status = optionalNumber(b.status, 'status');
  if (status !== undefined && status !== 0 && (status < 100 || status > 599)) {
    throw new Error('status must be 0 or an HTTP status');
  }
  const latencyMs = optionalNumber(b.latencyMs, 'latencyMs');
  const answerLatencyMs = optionalNumber(b.answerLatencyMs, 'answerLatencyMs');
  if (!status && !latencyMs && !answerLatencyMs)
    throw new Error('a fault needs a status, latencyMs or answerLatencyMs');
  if (b.path !== undefined && typeof b.path !== 'string') throw new Error('path must be a string');
  const retryAfterSeconds =
    b.retryAfterSeconds === null ? null : optionalNumber(b.retryAfterSeconds, 'retryAfterSeconds');
  return {
    status,
    retryAfterSeconds,
    latencyMs,
    answerLatencyMs,
    times: optionalNumber(b.times, 'times'),
    path: b.path as string | undefined,
  };
}

export async function startHttpSimulator<S>(options: HttpSimulatorOptions<S>): Promise<HttpSimulator<S>> {
  const { name, port = 0, host = '127.0.0.1', tls, createState, faultBody } = options;
  const certHosts = tls?.hosts ?? ['localhost', '127.0.0.1', '::1'];

  let state = createState();
  let faults: ActiveFault[] = [];
  let nextFaultId = 1;
  let requests: RecordedRequest[] = [];
  let url = '';
  let certificate: CertificateInfo | undefined;

  let server: http.Server | https.Server;
  if (tls) {
    const issued = await tls.ca.issue({
      hosts: certHosts,
      notAfter: new Date(Date.now() + (tls.daysValid ?? 365) * DAY_MS),
    });
    certificate = certificateInfo(issued);
    server = https.createServer({ key: issued.keyPem, cert: issued.certPem });
  } else {
    server = http.createServer();
  }
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => server.on('request', handler),
  }) as unknown as FastifyInstance;

  function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
    const body = faultBody(status, message);
    reply.code(status);
    if (typeof body === 'string') reply.type('text/plain; charset=utf-8');
    return reply.send(body);
  }

  const ctx: SimulatorContext<S> = {
    name,
    get state() {
      return state;
    },
    get url() {
      return url;
    },
    sendError,
  };

  // Vendors send form bodies (Slack, OAuth token endpoints); Fastify only parses JSON by itself.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      done(null, Object.fromEntries(new URLSearchParams(body.toString())));
    },
  );

  const recorded = new WeakMap<FastifyRequest, RecordedRequest>();
  const heldAnswers = new WeakMap<FastifyRequest, number>();

  function takeFault(path: string): ActiveFault | undefined {
    const fault = faults.find((f) => f.path === undefined || path.startsWith(f.path));
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    }
    return fault;
  }

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path.startsWith(ADMIN_PREFIX)) return;
    const entry: RecordedRequest = {
      method: request.method,
      path,
      url: request.url,
      time: new Date().toISOString(),
    };
    requests.push(entry);
    if (requests.length > MAX_RECORDED_REQUESTS) requests = requests.slice(-MAX_RECORDED_REQUESTS);
    recorded.set(request, entry);

    const fault = takeFault(path);
    if (!fault) return;
    if (fault.answerLatencyMs) heldAnswers.set(request, fault.answerLatencyMs);
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (!fault.status) return;
    entry.fault = fault.status;
    const retryAfter =
      fault.retryAfterSeconds === undefined && fault.status === 429 ? 1 : fault.retryAfterSeconds;
    if (retryAfter !== undefined && retryAfter !== null) reply.header('retry-after', String(retryAfter));
    return sendError(reply, fault.status, `Simulated fault ${fault.status}`);
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const held = heldAnswers.get(request);
    if (held) await sleep(held);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const entry = recorded.get(request);
    if (entry) entry.status = reply.statusCode;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return sendError(reply, status, error.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `No route for ${request.method} ${pathOf(request.url)}`),
  );

  async function setCertificateExpiry(notAfter: Date, notBefore?: Date): Promise<CertificateInfo> {
    if (!tls || !(server instanceof https.Server)) throw new Error(`${name} simulator is not HTTPS`);
    const issued = await tls.ca.issue({ hosts: certHosts, notAfter, notBefore });
    server.setSecureContext({ key: issued.keyPem, cert: issued.certPem });
    certificate = certificateInfo(issued);
    return certificate;
  }

  app.register(
    async (admin) => {
      admin.get('/requests', async () => requests);
      admin.get('/faults', async () => faults);
      admin.post('/faults', async (request, reply) => {
        let spec: FaultSpec;
        try {
          spec = parseFaultSpec(request.body);
        } catch (err) {
          return reply.code(400).send({ error: (err as Error).message });
        }
        const fault: ActiveFault = { ...spec, id: nextFaultId++, remaining: spec.times ?? null, hits: 0 };
        faults.push(fault);
        return reply.code(201).send(fault);
      });
      admin.delete('/faults', async () => {
        faults = [];
        return { ok: true };
      });
      admin.post('/reset', async () => {
        faults = [];
        requests = [];
        state = createState();
        return { ok: true };
      });
      if (tls) {
        admin.get('/certificate', async () => certificate);
        admin.post('/certificate', async (request, reply) => {
          const body = (request.body ?? {}) as {
            notAfter?: unknown;
            notBefore?: unknown;
            daysValid?: unknown;
          };
          let notAfter: Date;
          if (typeof body.notAfter === 'string') notAfter = new Date(body.notAfter);
          else if (typeof body.daysValid === 'number')
            notAfter = new Date(Date.now() + body.daysValid * DAY_MS);
          else return reply.code(400).send({ error: 'give notAfter (ISO string) or daysValid (number)' });
          const notBefore = typeof body.notBefore === 'string' ? new Date(body.notBefore) : undefined;
          if (Number.isNaN(notAfter.getTime()) || (notBefore && Number.isNaN(notBefore.getTime()))) {
            return reply.code(400).send({ error: 'notAfter/notBefore must be ISO dates' });
          }
          return setCertificateExpiry(notAfter, notBefore);
        });
      }
    },
    { prefix: ADMIN_PREFIX },
  );

  options.routes(app, ctx);

  await app.listen({ port, host });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = tls ? 'localhost' : host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  url = `${tls ? 'https' : 'http'}://${urlHost}:${actualPort}`;

  return {
    name,
    url,
    port: actualPort,
    get state() {
      return state;
    },
    get certificate() {
      return certificate;
    },
    close: () => app.close(),
    setCertificateExpiry,
  };
}
