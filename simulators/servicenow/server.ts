// ServiceNow simulator over HTTPS: Table API (`/api/now/table`, `/api/now/v2/table`), Import Set API
// with coalesce (`/api/now/import`), aggregate count (`/api/now/stats`), Basic auth and OAuth
// (`/oauth_token.do`, form-encoded only), per-user rate-limit rules with X-RateLimit-* headers and
// 429 + Retry-After, the `{"error":{message,detail},"status":"failure"}` envelope.
// Admin (never authenticated, limited or faulted): /__admin/servicenow/{seed,clock,rate-limit,requests}.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';
import { glideDateTime, matches, parseQuery, QueryError, sortRows, type Row } from './query';
import {
  countRequest,
  createServicenowState,
  IMPORT_SETS,
  insertRow,
  newSysId,
  nowMs,
  table,
  TABLES,
  transformImportRow,
  updateRow,
  type ServicenowState,
} from './state';

export interface ServicenowUser {
  password: string;
  /** IANA zone for gs.dateGenerate; default UTC. */
  timeZone?: string;
}

export interface ServicenowSimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  users?: Record<string, ServicenowUser>;
  oauthClients?: Record<string, string>;
  /** Access token lifetime in seconds (default 1800). */
  tokenLifetimeSeconds?: number;
  /** Unknown fields in sysparm_query fail the request instead of being ignored. */
  strictQueries?: boolean;
}

export const SERVICENOW_DEFAULTS = {
  users: { 'integration.user': { password: 'sim-password' } } as Record<string, ServicenowUser>,
  oauthClients: { 'sim-client-id': 'sim-client-secret' } as Record<string, string>,
};

const MAX_LIMIT = 10_000;

export function servicenowErrorBody(status: number, message: string, detail: string | null = null): unknown {
  return { error: { message, detail }, status: 'failure' };
}

function faultBody(status: number, message: string): unknown {
  if (status === 401)
    return servicenowErrorBody(401, 'User Not Authenticated', 'Required to provide Auth information');
  if (status === 429) return servicenowErrorBody(429, 'Rate limit exceeded', message);
  return servicenowErrorBody(status, message);
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

export async function startServicenowSimulator(
  options: ServicenowSimulatorOptions,
): Promise<HttpSimulator<ServicenowState>> {
  if (!options.tls) throw new Error('The ServiceNow simulator serves HTTPS only: pass tls');
  const users = options.users ?? SERVICENOW_DEFAULTS.users;
  const clients = options.oauthClients ?? SERVICENOW_DEFAULTS.oauthClients;
  const lifetime = options.tokenLifetimeSeconds ?? 1800;
  return startHttpSimulator<ServicenowState>({
    name: 'servicenow',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: createServicenowState,
    faultBody,
    routes(app, ctx) {
      // The instance's clock, as real instances report it in every response.
      app.addHook('onSend', async (_request, reply) => {
        reply.header('date', new Date(nowMs(ctx.state)).toUTCString());
      });
      registerOauth(app, ctx, users, clients, lifetime);
      registerApi(app, ctx, users, options.strictQueries ?? false);
      registerAdmin(app, ctx);
    },
  });
}

function authenticate(
  request: FastifyRequest,
  state: ServicenowState,
  users: Record<string, ServicenowUser>,
): string | undefined {
  const header = request.headers.authorization ?? '';
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'basic') {
    const pair = Buffer.from(value, 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    const name = pair.slice(0, colon);
    return colon > 0 && users[name]?.password === pair.slice(colon + 1) ? name : undefined;
  }
  if (scheme.toLowerCase() === 'bearer') {
    const token = state.accessTokens.get(value);
    return token && token.expiresAt > Date.now() ? token.user : undefined;
  }
  return undefined;
}

function registerOauth(
  app: FastifyInstance,
  ctx: SimulatorContext<ServicenowState>,
  users: Record<string, ServicenowUser>,
  clients: Record<string, string>,
  lifetime: number,
): void {
  app.post('/oauth_token.do', async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return reply.code(400).send({ error_description: 'access_denied', error: 'server_error' });
    }
    const form = (request.body ?? {}) as Record<string, string>;
    const denied = () => reply.code(401).send({ error_description: 'access_denied', error: 'server_error' });
    if (!form.client_id || clients[form.client_id] !== form.client_secret) return denied();
    const state = ctx.state;
    let user: string | undefined;
    let refresh: string | undefined;
    if (form.grant_type === 'password') {
      if (!form.username || users[form.username]?.password !== form.password) return denied();
      user = form.username;
    } else if (form.grant_type === 'refresh_token') {
      user = state.refreshTokens.get(form.refresh_token ?? '');
      refresh = form.refresh_token;
      if (!user) return denied();
    } else if (form.grant_type === 'client_credentials') {
      user = 'oauth.application.user';
    } else {
      return reply.code(400).send({ error_description: 'unsupported_grant_type', error: 'server_error' });
    }
    // Within the lifetime the same user gets the same token back, as on a real instance.
    const now = Date.now();
    let access = [...state.accessTokens].find(([, t]) => t.user === user && t.expiresAt > now + 1000)?.[0];
    if (!access) {
      access = randomBytes(24).toString('base64url');
      state.accessTokens.set(access, { user, expiresAt: now + lifetime * 1000 });
    }
    if (!refresh && form.grant_type === 'password') {
      refresh = randomBytes(24).toString('base64url');
      state.refreshTokens.set(refresh, user);
    }
    const expiresIn = Math.round((state.accessTokens.get(access)!.expiresAt - now) / 1000);
    return {
      access_token: access,
      ...(refresh ? { refresh_token: refresh } : {}),
      scope: 'useraccount',
      token_type: 'Bearer',
      expires_in: expiresIn,
    };
  });
}

function registerApi(
  app: FastifyInstance,
  ctx: SimulatorContext<ServicenowState>,
  users: Record<string, ServicenowUser>,
  strict: boolean,
): void {
  const userOf = new WeakMap<FastifyRequest, string>();
  const error = (reply: FastifyReply, status: number, message: string, detail: string | null = null) =>
    reply.code(status).send(servicenowErrorBody(status, message, detail));
  const noRecord = (reply: FastifyReply) =>
    error(reply, 404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");

  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/api/now/')) return;
    ctx.state.requestTimes.push(Date.now());
    const user = authenticate(request, ctx.state, users);
    if (!user) return error(reply, 401, 'User Not Authenticated', 'Required to provide Auth information');
    userOf.set(request, user);
    const limited = countRequest(ctx.state, user);
    if (limited) {
      for (const [name, value] of Object.entries(limited.headers)) reply.header(name, value);
      if (limited.retryAfter !== undefined) {
        reply.header('retry-after', String(limited.retryAfter));
        return error(reply, 429, 'Rate limit exceeded', `User ${user} exceeded the rate limit rule`);
      }
    }
  });

  const tableOf = (request: Req, reply: FastifyReply) => {
    const name = request.params.table ?? '';
    const rows = TABLES[name] ? table(ctx.state, name) : undefined;
    if (!rows) {
      error(reply, 400, `Invalid table ${name}`, `Table ${name} does not exist`);
      return undefined;
    }
    return { name, rows, def: TABLES[name]! };
  };

  const present = (tableName: string, row: Row, q: Record<string, string>): Record<string, unknown> => {
    const def = TABLES[tableName]!;
    const fields = q.sysparm_fields ? q.sysparm_fields.split(',').map((f) => f.trim()) : Object.keys(row);
    const noLinks = q.sysparm_exclude_reference_link === 'true';
    const display = q.sysparm_display_value ?? 'false';
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (!(field in def.fields)) continue;
      const value = row[field] ?? '';
      if (def.fields[field] === 'reference' && value !== '') {
        const name = table(ctx.state, 'sys_user')?.get(value)?.name ?? value;
        const link = `${ctx.url}/api/now/table/sys_user/${value}`;
        if (display === 'true') out[field] = noLinks ? name : { display_value: name, link };
        else if (display === 'all') out[field] = { display_value: name, value, ...(noLinks ? {} : { link }) };
        else out[field] = noLinks ? value : { link, value };
      } else {
        out[field] = display === 'all' ? { display_value: value, value } : value;
      }
    }
    return out;
  };

  const list = async (request: Req, reply: FastifyReply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    const q = request.query;
    const user = userOf.get(request)!;
    let parsed;
    try {
      parsed = parseQuery(q.sysparm_query ?? '', {
        fields: t.def.fields,
        strict,
        timeZone: users[user]?.timeZone,
      });
    } catch (err) {
      if (err instanceof QueryError) return error(reply, 400, err.message, null);
      throw err;
    }
    const all = sortRows(
      [...t.rows.values()].filter((row) => matches(row, parsed, t.def.fields)),
      parsed,
      t.def.fields,
    );
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number(q.sysparm_limit ?? MAX_LIMIT) || MAX_LIMIT));
    const offset = Math.max(0, Number(q.sysparm_offset ?? 0) || 0);
    const page = all.slice(offset, offset + limit);
    if (q.sysparm_no_count !== 'true') reply.header('x-total-count', String(all.length));
    if (q.sysparm_suppress_pagination_header !== 'true' && all.length > limit) {
      const link = (o: number, rel: string) => {
        const params = new URLSearchParams({ ...q, sysparm_offset: String(o), sysparm_limit: String(limit) });
        return `<${ctx.url}${request.url.split('?')[0]}?${params.toString()}>;rel="${rel}"`;
      };
      const last = Math.floor((all.length - 1) / limit) * limit;
      const links = [link(0, 'first')];
      if (offset > 0) links.push(link(Math.max(0, offset - limit), 'prev'));
      if (offset + limit < all.length) links.push(link(offset + limit, 'next'));
      links.push(link(last, 'last'));
      reply.header('link', links.join(','));
    }
    return { result: page.map((row) => present(t.name, row, q)) };
  };

  const get = async (request: Req, reply: FastifyReply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    const row = t.rows.get(request.params.sys_id ?? '');
    if (!row) return noRecord(reply);
    return { result: present(t.name, row, request.query) };
  };

  const create = async (request: Req, reply: FastifyReply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object')
      return error(reply, 400, 'Exception while reading request', 'No request body');
    const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v ?? '')]));
    delete values.sys_id;
    delete values.sys_updated_on;
    delete values.sys_created_on;
    const row = insertRow(ctx.state, t.name, values, userOf.get(request)!);
    reply.header('location', `${ctx.url}/api/now/table/${t.name}/${row.sys_id}`);
    return reply.code(201).send({ result: present(t.name, row, request.query) });
  };

  const update = async (request: Req, reply: FastifyReply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    const row = t.rows.get(request.params.sys_id ?? '');
    if (!row) return noRecord(reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v ?? '')]));
    updateRow(ctx.state, t.name, row, values, userOf.get(request)!);
    return { result: present(t.name, row, request.query) };
  };

  const remove = async (request: Req, reply: FastifyReply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    if (!t.rows.delete(request.params.sys_id ?? '')) return noRecord(reply);
    return reply.code(204).send();
  };

  for (const base of ['/api/now/table', '/api/now/v2/table']) {
    app.get(`${base}/:table`, list);
    app.get(`${base}/:table/:sys_id`, get);
    app.post(`${base}/:table`, create);
    app.patch(`${base}/:table/:sys_id`, update);
    app.put(`${base}/:table/:sys_id`, update);
    app.delete(`${base}/:table/:sys_id`, remove);
  }

  app.get('/api/now/stats/:table', async (request: Req, reply) => {
    const t = tableOf(request, reply);
    if (!t) return reply;
    const user = userOf.get(request)!;
    const parsed = parseQuery(request.query.sysparm_query ?? '', {
      fields: t.def.fields,
      timeZone: users[user]?.timeZone,
    });
    const count = [...t.rows.values()].filter((row) => matches(row, parsed, t.def.fields)).length;
    return { result: { stats: { count: String(count) } } };
  });

  app.post('/api/now/import/:staging', async (request: Req, reply) => {
    const staging = request.params.staging ?? '';
    if (!IMPORT_SETS[staging])
      return error(reply, 400, `Invalid table ${staging}`, `Table ${staging} does not exist`);
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return error(reply, 400, 'Exception while reading request', 'Body must be one JSON object');
    const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v ?? '')]));
    const state = ctx.state;
    state.importSets += 1;
    const importSet = `ISET${String(10000 + state.importSets).padStart(7, '0')}`;
    const result = transformImportRow(state, staging, values, userOf.get(request)!, ctx.url);
    const stagingId = newSysId();
    table(state, staging)!.set(stagingId, {
      ...values,
      sys_id: stagingId,
      sys_import_set: importSet,
      sys_import_state: result.status === 'error' ? 'error' : 'processed',
      sys_target_sys_id: result.sys_id,
      sys_row_error: result.error_message ?? '',
      sys_created_on: glideDateTime(new Date(nowMs(state))),
    });
    return reply.code(201).send({ import_set: importSet, staging_table: staging, result: [result] });
  });

  app.get('/api/now/import/:staging/:sys_id', async (request: Req, reply) => {
    const row = table(ctx.state, request.params.staging ?? '')?.get(request.params.sys_id ?? '');
    if (!row) return noRecord(reply);
    return { result: row };
  });
}

function registerAdmin(app: FastifyInstance, ctx: SimulatorContext<ServicenowState>): void {
  const prefix = '/__admin/servicenow';
  /**
   * Seeds rows without auth or rate limits: `{table, records:[{...}]}` or
   * `{table, generate:{count, fields:{...}}}` (number/sys_id generated; sys_updated_on may be given).
   */
  app.post(`${prefix}/seed`, async (request, reply) => {
    const body = (request.body ?? {}) as {
      table?: string;
      records?: Row[];
      generate?: { count: number; fields?: Row };
    };
    if (!body.table || !TABLES[body.table]) return reply.code(400).send({ error: 'unknown table' });
    const rows =
      body.records ?? Array.from({ length: body.generate?.count ?? 0 }, () => ({ ...body.generate?.fields }));
    const ids = rows.map((r) => insertRow(ctx.state, body.table!, r as Row, 'admin').sys_id!);
    return { inserted: ids.length, sys_ids: ids.length <= 10_000 ? ids : undefined };
  });
  /** `{now: 'YYYY-MM-DD HH:MM:SS'}` freezes the clock there; `{now: null}` returns to real time. */
  app.post(`${prefix}/clock`, async (request, reply) => {
    const { now } = (request.body ?? {}) as { now?: string | null };
    if (now === null || now === undefined) ctx.state.clock.frozenMs = undefined;
    else {
      const ms = Date.parse(`${now.replace(' ', 'T')}Z`);
      if (Number.isNaN(ms)) return reply.code(400).send({ error: 'now must be YYYY-MM-DD HH:MM:SS' });
      ctx.state.clock.frozenMs = ms;
    }
    return { now: glideDateTime(new Date(nowMs(ctx.state))) };
  });
  /** `{limitPerHour, windowSeconds?, user?}` adds a rule; GET returns rules and counters. */
  app.post(`${prefix}/rate-limit`, async (request, reply) => {
    const {
      limitPerHour,
      windowSeconds = 3600,
      user,
    } = (request.body ?? {}) as {
      limitPerHour?: number;
      windowSeconds?: number;
      user?: string;
    };
    if (!limitPerHour || limitPerHour <= 0 || windowSeconds <= 0)
      return reply.code(400).send({ error: 'limitPerHour and windowSeconds must be positive' });
    ctx.state.rateRules.push({ limitPerHour, windowSeconds, user });
    return { rules: ctx.state.rateRules };
  });
  app.get(`${prefix}/rate-limit`, async () => ({ rules: ctx.state.rateRules, stats: ctx.state.rateStats }));
  app.get(`${prefix}/requests`, async () => ({ times: ctx.state.requestTimes }));
  app.get(`${prefix}/count/:table`, async (request) => ({
    count: table(ctx.state, (request.params as { table: string }).table)?.size ?? 0,
  }));
}
