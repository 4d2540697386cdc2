// Salesforce simulator over HTTPS: OAuth token endpoint (client credentials) returning
// `instance_url`; sessions that expire after a set TTL (401 INVALID_SESSION_ID); a rolling API
// allocation reported in `Sforce-Limit-Info` on every REST answer and refused with 403
// REQUEST_LIMIT_EXCEEDED; `/limits`; SOQL `query`/`queryAll` with `nextRecordsUrl`; sObject create,
// update, upsert, delete and collections (200 a call); error arrays; Bulk API 2.0 (bulk.ts); Outbound
// Messages sent to an endpoint and retried until acknowledged (outbound.ts).
// Admin (never authenticated or counted): /__admin/salesforce/{accounts,delete,allocation,settings,
// rules,writes,outbound}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';
import { bulkRoutes, sfError } from './bulk';
import { sendOutbound, type OutboundDelivery, type OutboundRequest } from './outbound';
import { parseSoql, project, runSoql, SoqlError, type Row } from './soql';
import {
  createSalesforceState,
  newId,
  newToken,
  refusedBy,
  stamp,
  writeAccount,
  type Account,
  type SalesforceState,
} from './state';

export interface SalesforceSimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  /** Connected apps allowed the client-credentials flow: client id → secret. */
  clients?: Record<string, string>;
}

export const SALESFORCE_DEFAULTS = {
  clients: { 'sim-consumer-key': 'sim-consumer-secret' } as Record<string, string>,
};
export const API_VERSION = 'v60.0';
const DATA = '/services/data/:version';

type Ctx = SimulatorContext<SalesforceState>;
type P = { id: string; field: string; value: string; version: string; locator: string };
type Req = FastifyRequest<{ Params: P; Querystring: Record<string, string | undefined> }>;

function faultBody(status: number, message: string): unknown {
  if (status === 401) return [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
  if (status === 403)
    return [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
  return [{ message, errorCode: status === 404 ? 'NOT_FOUND' : 'UNKNOWN_EXCEPTION' }];
}

/** Bearer check, allocation count and the Sforce-Limit-Info header for every data API call. */
function guardDataApi(app: FastifyInstance, ctx: Ctx): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/services/data/')) return;
    const state = ctx.state;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const issued = token ? state.sessions.get(token) : undefined;
    if (issued === undefined || Date.now() - issued >= state.sessionTtlMs)
      return sfError(reply, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (state.allocation.used >= state.allocation.max) {
      reply.header('sforce-limit-info', `api-usage=${state.allocation.used}/${state.allocation.max}`);
      return sfError(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    state.allocation.used++;
    reply.header('sforce-limit-info', `api-usage=${state.allocation.used}/${state.allocation.max}`);
  });
}

function queryRoutes(app: FastifyInstance, ctx: Ctx): void {
  const run = (request: Req, reply: FastifyReply, all: boolean) => {
    let soql;
    try {
      soql = parseSoql(request.query.q ?? '');
    } catch (err) {
      return sfError(reply, 400, 'MALFORMED_QUERY', (err as SoqlError).message);
    }
    if (soql.object !== 'Account')
      return sfError(reply, 400, 'INVALID_TYPE', `sObject type '${soql.object}' is not supported`);
    const rows = runSoql(
      soql,
      [...ctx.state.accounts.values()].filter((a) => all || !a.IsDeleted),
    );
    if (soql.count) return { totalSize: rows.length, done: true, records: [] };
    const batch = Math.min(
      2000,
      Math.max(
        200,
        Number(/batchSize=(\d+)/.exec(String(request.headers['sforce-query-options'] ?? ''))?.[1] ?? 2000),
      ),
    );
    return page(
      request.params.version,
      rows.map((r) => project(soql, r)),
      0,
      batch,
    );
  };
  const page = (version: string, rows: Row[], offset: number, batch: number) => {
    const records = rows.slice(offset, offset + batch);
    const done = offset + batch >= rows.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const id = newId(ctx.state, '01g');
      ctx.state.cursors.set(id, { rows, fields: [], object: 'Account', batch });
      nextRecordsUrl = `/services/data/${version}/query/${id}-${offset + batch}`;
    }
    return { totalSize: rows.length, done, ...(nextRecordsUrl && { nextRecordsUrl }), records };
  };
  app.get<{ Params: P; Querystring: Record<string, string | undefined> }>(`${DATA}/query`, (req, reply) =>
    run(req, reply, false),
  );
  app.get<{ Params: P; Querystring: Record<string, string | undefined> }>(`${DATA}/queryAll`, (req, reply) =>
    run(req, reply, true),
  );
  app.get<{ Params: { version: string; locator: string } }>(
    `${DATA}/query/:locator`,
    async (request, reply) => {
      const [id = '', offset] = request.params.locator.split('-');
      const cursor = ctx.state.cursors.get(id);
      if (!cursor) return sfError(reply, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      ctx.state.cursors.delete(id);
      return page(request.params.version, cursor.rows, Number(offset), cursor.batch);
    },
  );
  app.get(`${DATA}/limits`, async () => ({
    DailyApiRequests: {
      Max: ctx.state.allocation.max,
      Remaining: Math.max(0, ctx.state.allocation.max - ctx.state.allocation.used),
    },
  }));
}

/** One record write with the vendor's result shape; refusals as error arrays. */
function saveResult(
  state: SalesforceState,
  id: string | undefined,
  values: Row,
): { id: string | null; success: boolean; created?: boolean; errors: Row[] } {
  const rule = refusedBy(state, { ...values, ...(id && { Id: id }) });
  if (rule)
    return {
      id: id ?? null,
      success: false,
      errors: [{ statusCode: rule.errorCode, message: rule.message, fields: [rule.field] }],
    };
  try {
    const out = writeAccount(state, id, values);
    return { id: out.id, success: true, created: out.created, errors: [] };
  } catch (err) {
    return {
      id: id ?? null,
      success: false,
      errors: [
        {
          statusCode: (err as { errorCode?: string }).errorCode ?? 'UNKNOWN_EXCEPTION',
          message: (err as Error).message,
          fields: [],
        },
      ],
    };
  }
}

function sobjectRoutes(app: FastifyInstance, ctx: Ctx): void {
  const base = `${DATA}/sobjects/Account`;
  const findBy = (field: string, value: string): Account | undefined =>
    field === 'Id'
      ? ctx.state.accounts.get(value)
      : [...ctx.state.accounts.values()].find((a) => String(a[field]) === value);
  app.get<{ Params: P }>(`${base}/:id`, async (request, reply) => {
    const a = ctx.state.accounts.get(request.params.id);
    if (!a || a.IsDeleted) return sfError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return { attributes: { type: 'Account' }, ...a };
  });
  app.post(`${base}`, async (request, reply) => {
    const result = saveResult(ctx.state, undefined, request.body as Row);
    if (!result.success)
      return reply
        .code(400)
        .send(result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
    return reply.code(201).send({ id: result.id, success: true, errors: [] });
  });
  const patch = async (request: Req, reply: FastifyReply, field: string, value: string) => {
    const existing = findBy(field, value);
    const values = field === 'Id' ? (request.body as Row) : { ...(request.body as Row), [field]: value };
    if (field === 'Id' && !existing)
      return sfError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const result = saveResult(ctx.state, existing?.Id, values);
    if (!result.success)
      return reply
        .code(400)
        .send(result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
    return result.created
      ? reply.code(201).send({ id: result.id, success: true, errors: [], created: true })
      : reply.code(204).send();
  };
  app.patch<{ Params: P; Querystring: Record<string, string | undefined> }>(`${base}/:id`, (request, reply) =>
    patch(request, reply, 'Id', request.params.id),
  );
  app.patch<{ Params: P; Querystring: Record<string, string | undefined> }>(
    `${base}/:field/:value`,
    (request, reply) => patch(request, reply, request.params.field, request.params.value),
  );
  app.delete<{ Params: P }>(`${base}/:id`, async (request, reply) => {
    const a = ctx.state.accounts.get(request.params.id);
    if (!a || a.IsDeleted) return sfError(reply, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
    a.IsDeleted = true;
    a.SystemModstamp = stamp(ctx.state);
    return reply.code(204).send();
  });
  // sObject Collections upsert: at most 200 records a call, each with its own result.
  app.patch<{ Params: P }>(`${DATA}/composite/sobjects/Account/:field`, async (request, reply) => {
    const body = request.body as { allOrNone?: boolean; records?: Row[] };
    const records = body.records ?? [];
    if (records.length > 200) return sfError(reply, 400, 'EXCEEDED_ID_LIMIT', 'record limit is 200');
    const field = request.params.field;
    return records.map((r) => {
      const existing = findBy(field, String(r[field] ?? ''));
      if (field === 'Id' && !existing)
        return {
          id: null,
          success: false,
          errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
        };
      return saveResult(ctx.state, existing?.Id, r);
    });
  });
}

function tokenRoute(app: FastifyInstance, ctx: Ctx, clients: Record<string, string>): void {
  app.post('/services/oauth2/token', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials')
      return reply
        .code(400)
        .send({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    if (!form.client_id || clients[form.client_id] !== form.client_secret)
      return reply
        .code(400)
        .send({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const token = newToken();
    ctx.state.sessions.set(token, Date.now());
    return {
      access_token: token,
      instance_url: ctx.url,
      id: `${ctx.url}/id/${ctx.state.orgId}/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: 'c2ltdWxhdG9y',
      scope: 'api',
    };
  });
}

function adminRoutes(app: FastifyInstance, ctx: Ctx): void {
  const deliveries = new Map<string, OutboundDelivery>();
  const admin = '/__admin/salesforce';
  app.post(`${admin}/accounts`, async (request) => {
    const body = request.body as {
      accounts?: Row[];
      count?: number;
      country?: string;
      systemModstamp?: string;
      namePrefix?: string;
    };
    const seeds: Row[] =
      body.accounts ??
      Array.from({ length: body.count ?? 0 }, (_, i) => ({
        Name: `${body.namePrefix ?? 'Account'} ${i + 1}`,
        BillingCountryCode: body.country ?? 'US',
      }));
    const ids: string[] = [];
    for (const seed of seeds) {
      const { id } = writeAccount(ctx.state, undefined, seed);
      const account = ctx.state.accounts.get(id)!;
      if (seed.SystemModstamp || body.systemModstamp)
        account.SystemModstamp = String(seed.SystemModstamp ?? body.systemModstamp);
      ctx.state.writes.delete(id);
      ids.push(id);
    }
    return { ids };
  });
  app.get(`${admin}/accounts`, async () => [...ctx.state.accounts.values()]);
  // A change made in Salesforce by a person (not counted as an API write of ours).
  app.post(`${admin}/accounts/update`, async (request) => {
    const { id, values } = request.body as { id: string; values: Row };
    writeAccount(ctx.state, id, values);
    ctx.state.writes.set(id, (ctx.state.writes.get(id) ?? 1) - 1);
    return ctx.state.accounts.get(id);
  });
  app.post(`${admin}/delete`, async (request) => {
    for (const id of (request.body as { ids: string[] }).ids) {
      const a = ctx.state.accounts.get(id);
      if (a) Object.assign(a, { IsDeleted: true, SystemModstamp: stamp(ctx.state) });
    }
    return { ok: true };
  });
  app.post(`${admin}/allocation`, async (request) => {
    Object.assign(ctx.state.allocation, request.body as object);
    return ctx.state.allocation;
  });
  app.post(`${admin}/settings`, async (request) => {
    const body = request.body as { sessionTtlMs?: number; bulkProcessingMs?: number; orgId?: string };
    if (body.sessionTtlMs !== undefined) ctx.state.sessionTtlMs = body.sessionTtlMs;
    if (body.bulkProcessingMs !== undefined) ctx.state.bulkProcessingMs = body.bulkProcessingMs;
    if (body.orgId) ctx.state.orgId = body.orgId;
    return {
      sessionTtlMs: ctx.state.sessionTtlMs,
      bulkProcessingMs: ctx.state.bulkProcessingMs,
      orgId: ctx.state.orgId,
    };
  });
  app.post(`${admin}/rules`, async (request) => {
    ctx.state.rules.push(request.body as SalesforceState['rules'][number]);
    return ctx.state.rules;
  });
  app.post(`${admin}/rules/clear`, async () => {
    ctx.state.rules = [];
    return { ok: true };
  });
  app.get(`${admin}/writes`, async () => Object.fromEntries(ctx.state.writes));
  app.post(`${admin}/outbound`, async (request, reply) => {
    const delivery = sendOutbound(ctx.state, request.body as OutboundRequest, ctx.url);
    deliveries.set(delivery.id, delivery);
    return reply.code(202).send(delivery);
  });
  app.get<{ Params: { id: string } }>(
    `${admin}/outbound/:id`,
    async (request, reply) => deliveries.get(request.params.id) ?? reply.code(404).send(),
  );
}

export async function startSalesforceSimulator(
  options: SalesforceSimulatorOptions,
): Promise<HttpSimulator<SalesforceState>> {
  if (!options.tls) throw new Error('The Salesforce simulator serves HTTPS only: pass tls');
  const clients = options.clients ?? SALESFORCE_DEFAULTS.clients;
  return startHttpSimulator<SalesforceState>({
    name: 'salesforce',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: createSalesforceState,
    faultBody,
    routes: (app, ctx) => {
      guardDataApi(app, ctx);
      tokenRoute(app, ctx, clients);
      queryRoutes(app, ctx);
      sobjectRoutes(app, ctx);
      bulkRoutes(app, ctx, `${DATA}`);
      adminRoutes(app, ctx);
    },
  });
}
