// Admin API of the Workday simulator (never authenticated, recorded or faulted): read, upsert,
// clear and generate workers with their entry moment, and queue SOAP faults for the next calls.
import type { FastifyInstance } from 'fastify';
import { ADMIN_PREFIX, type SimulatorContext } from '../kit/http-simulator';
import {
  generateWorkers,
  upsertWorker,
  versionAsOf,
  type SimWorker,
  type WorkdaySimState,
  type WorkdayState,
} from './state';

type Obj = Record<string, unknown>;

function parseWorkerInput(raw: unknown, existing: SimWorker | undefined): SimWorker {
  const input = (raw ?? {}) as Partial<SimWorker>;
  if (typeof input.employeeId !== 'string' || input.employeeId === '')
    throw new Error('every worker needs an employeeId');
  const merged = { ...existing, ...input } as SimWorker;
  for (const field of ['legalFirstName', 'legalLastName', 'email', 'country', 'hireDate'] as const)
    if (typeof merged[field] !== 'string')
      throw new Error(`worker ${input.employeeId}: ${field} is required for a new worker`);
  merged.status = merged.status ?? 'Active';
  // `null` in a change removes an optional field.
  for (const [k, v] of Object.entries(merged)) if (v === null) delete (merged as unknown as Obj)[k];
  return merged;
}

function latestWorkers(state: WorkdayState): (SimWorker & { updatedAt: string; versions: number })[] {
  return [...state.versions.values()].map((versions) => {
    const last = versions[versions.length - 1]!;
    return { ...last.worker, updatedAt: new Date(last.enteredAt).toISOString(), versions: versions.length };
  });
}

export function registerWorkdayAdminRoutes(
  app: FastifyInstance,
  ctx: SimulatorContext<WorkdaySimState>,
): void {
  app.get(`${ADMIN_PREFIX}/workers`, async () => latestWorkers(ctx.state));
  app.delete(`${ADMIN_PREFIX}/workers`, async () => {
    ctx.state.versions.clear();
    return { ok: true };
  });
  /** `{ workers: [{ employeeId, ...fields }], updatedAt?, effectiveDate? }`: new versions (changes merge). */
  app.post(`${ADMIN_PREFIX}/workers`, async (request, reply) => {
    const body = (request.body ?? {}) as {
      workers?: unknown[];
      updatedAt?: string;
      effectiveDate?: string;
    };
    const enteredAt = body.updatedAt ? Date.parse(body.updatedAt) : Date.now();
    if (!Array.isArray(body.workers) || Number.isNaN(enteredAt))
      return reply.code(400).send({ error: 'give { workers: [...], updatedAt?: ISO date-time }' });
    try {
      const changed = body.workers.map((raw) => {
        const id = (raw as { employeeId?: string }).employeeId ?? '';
        const versions = ctx.state.versions.get(id);
        const current = versions ? versionAsOf(versions, Number.MAX_SAFE_INTEGER) : undefined;
        return parseWorkerInput(raw, current?.worker);
      });
      for (const w of changed) upsertWorker(ctx.state, w, enteredAt, body.effectiveDate);
      return { upserted: changed.length, updatedAt: new Date(enteredAt).toISOString() };
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
  /** `{ count, seed?, firstId?, updatedAt? }`: a deterministic population. */
  app.post(`${ADMIN_PREFIX}/workers/generate`, async (request, reply) => {
    const body = (request.body ?? {}) as {
      count?: number;
      seed?: number;
      firstId?: number;
      updatedAt?: string;
    };
    const enteredAt = body.updatedAt ? Date.parse(body.updatedAt) : Date.now();
    if (typeof body.count !== 'number' || body.count < 0 || Number.isNaN(enteredAt))
      return reply.code(400).send({ error: 'give { count, seed?, firstId?, updatedAt? }' });
    const workers = generateWorkers({ count: body.count, seed: body.seed, firstId: body.firstId });
    for (const w of workers) upsertWorker(ctx.state, w, enteredAt);
    return { generated: workers.length, ids: workers.map((w) => w.employeeId) };
  });
  /** `{ faultcode, faultstring, times? }`: the next Get_Workers calls answer this SOAP fault. */
  app.post(`${ADMIN_PREFIX}/soap-faults`, async (request, reply) => {
    const body = (request.body ?? {}) as { faultcode?: string; faultstring?: string; times?: number };
    if (typeof body.faultcode !== 'string')
      return reply.code(400).send({ error: 'give { faultcode, faultstring?, times? }' });
    const fault = {
      faultcode: body.faultcode.includes(':') ? body.faultcode : `SOAP-ENV:${body.faultcode}`,
      faultstring: body.faultstring ?? 'Simulated fault',
      remaining: body.times ?? 1,
    };
    ctx.state.soapFaults.push(fault);
    return reply.code(201).send(fault);
  });
}
