// Tableau Server / Cloud REST API simulator: PAT sign-in (a new sign-in with the same token ends the
// previous session), X-Tableau-Auth, data sources with paging/filter/sort, connections, extract
// refresh jobs that progress over time, 409093 for a duplicate refresh, 409090 for live sources.
// Admin endpoints set how a data source's refreshes end and break its schema.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startHttpSimulator, type HttpSimulator, type SimulatorTlsOptions } from '../kit/http-simulator';
import {
  DEFAULT_BEHAVIOR,
  createTableauState,
  newToken,
  viewJob,
  type RefreshBehavior,
  type SimDataSource,
  type SimJob,
  type SimSession,
  type TableauState,
} from './state';
import { parseXml, requestBody, send, sendError, tableauFaultBody } from './wire';

export interface TableauSimulatorOptions {
  port?: number;
  host?: string;
  tls?: SimulatorTlsOptions;
  siteContentUrl?: string;
  patName?: string;
  patSecret?: string;
}

export const TABLEAU_SIM_DEFAULTS = {
  siteContentUrl: 'acme',
  patName: 'integrations-bot',
  patSecret: 'sim-tableau-pat-secret',
} as const;

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Splits `a:eq:x,b:in:[y,z]` on the commas that are not inside brackets. */
export function parseFilter(filter: string | undefined): { field: string; op: string; values: string[] }[] {
  if (!filter) return [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of filter) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current) parts.push(current);
  return parts.map((part) => {
    const [field = '', op = '', ...rest] = part.split(':');
    const raw = rest.join(':');
    const values = op === 'in' ? raw.replace(/^\[|\]$/g, '').split(',') : [raw];
    return { field, op, values };
  });
}

function matches(actual: string | string[], op: string, values: string[]): boolean {
  const list = Array.isArray(actual) ? actual : [actual];
  switch (op) {
    case 'eq':
    case 'in':
      return list.some((a) => values.includes(a));
    case 'gte':
      return list.some((a) => a >= values[0]!);
    case 'lte':
      return list.some((a) => a <= values[0]!);
    default:
      throw new Error(`unsupported filter operator ${op}`);
  }
}

function page<T>(items: T[], query: Record<string, string>): { items: T[]; pagination: object } {
  const pageSize = Math.min(1000, Math.max(1, Number(query.pageSize ?? 100) || 100));
  const pageNumber = Math.max(1, Number(query.pageNumber ?? 1) || 1);
  return {
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pagination: {
      pageNumber: String(pageNumber),
      pageSize: String(pageSize),
      totalAvailable: String(items.length),
    },
  };
}

function sortBy<T>(items: T[], sort: string | undefined, value: (item: T, field: string) => string): T[] {
  if (!sort) return items;
  const [field = '', direction = 'asc'] = sort.split(':');
  const sign = direction === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => sign * value(a, field).localeCompare(value(b, field)));
}

export async function startTableauSimulator(
  options: TableauSimulatorOptions = {},
): Promise<HttpSimulator<TableauState>> {
  const seed = {
    siteContentUrl: options.siteContentUrl ?? TABLEAU_SIM_DEFAULTS.siteContentUrl,
    patName: options.patName ?? TABLEAU_SIM_DEFAULTS.patName,
    patSecret: options.patSecret ?? TABLEAU_SIM_DEFAULTS.patSecret,
  };
  return startHttpSimulator<TableauState>({
    name: 'tableau',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: () => createTableauState(seed),
    faultBody: tableauFaultBody,
    routes(app, ctx) {
      registerRoutes(app, () => ctx.state);
    },
  });
}

function registerRoutes(app: FastifyInstance, state: () => TableauState): void {
  for (const type of ['application/xml', 'text/xml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseXml(body.toString()));
      } catch (err) {
        done(err as Error);
      }
    });
  }

  const dsView = (s: TableauState, ds: SimDataSource) => {
    const project = s.projects.find((p) => p.id === ds.projectId);
    return {
      id: ds.id,
      name: ds.name,
      contentUrl: ds.contentUrl,
      type: ds.type,
      createdAt: ds.createdAt,
      updatedAt: ds.updatedAt,
      encryptExtracts: 'false',
      hasExtracts: ds.hasExtracts,
      useRemoteQueryAgent: false,
      webpageUrl: `https://tableau.example.com/#/site/${s.site.contentUrl}/datasources/${ds.contentUrl}`,
      project: { id: ds.projectId, name: project?.name ?? '' },
      owner: { id: ds.ownerId },
      tags: { tag: ds.tags.map((label) => ({ label })) },
    };
  };

  const connectionView = (c: SimDataSource['connections'][number]) => ({
    id: c.id,
    type: c.type,
    serverAddress: c.serverAddress,
    serverPort: c.serverPort,
    userName: c.userName,
    embedPassword: c.embedPassword,
    queryTaggingEnabled: c.queryTaggingEnabled,
  });

  const jobView = (s: TableauState, job: SimJob, now = Date.now()) => {
    const view = viewJob(job, now);
    const ds = s.datasources.find((d) => d.id === job.datasourceId);
    return {
      id: job.id,
      mode: 'Asynchronous',
      type: 'RefreshExtract',
      progress: String(view.progress),
      createdAt: iso(job.createdAtMs),
      startedAt: iso(view.startedAtMs),
      completedAt: iso(view.completedAtMs),
      finishCode: view.finishCode === undefined ? undefined : String(view.finishCode),
      extractRefreshJob: {
        notes: view.notes,
        datasource: { id: job.datasourceId, name: ds?.name ?? '' },
      },
    };
  };

  /** The session behind X-Tableau-Auth for this site, or an error reply. */
  function session(request: Req, reply: FastifyReply): SimSession | undefined {
    const s = state();
    const token = request.headers['x-tableau-auth'];
    const found = typeof token === 'string' ? s.sessions.get(token) : undefined;
    if (!found) {
      sendError(request, reply, 401, '401002', 'Invalid authentication credentials were provided.');
      return undefined;
    }
    if (request.params.siteId !== undefined && request.params.siteId !== found.siteId) {
      sendError(request, reply, 404, '404000', `Site '${request.params.siteId}' could not be found.`);
      return undefined;
    }
    return found;
  }

  function findDataSource(request: Req, reply: FastifyReply): SimDataSource | undefined {
    const ds = state().datasources.find((d) => d.id === request.params.datasourceId);
    if (!ds)
      sendError(
        request,
        reply,
        404,
        '404004',
        `Datasource '${request.params.datasourceId}' could not be found.`,
      );
    return ds;
  }

  const checkVersion = (request: Req, reply: FastifyReply): boolean => {
    if (/^3\.\d{1,2}$/.test(request.params.version ?? '')) return true;
    sendError(request, reply, 404, '404000', `API version ${request.params.version} is not supported.`);
    return false;
  };

  app.post('/api/:version/auth/signin', async (request: Req, reply) => {
    if (!checkVersion(request, reply)) return reply;
    const s = state();
    const credentials = (requestBody(request).credentials ?? {}) as Record<string, unknown>;
    const name = String(credentials.personalAccessTokenName ?? '');
    const secret = String(credentials.personalAccessTokenSecret ?? '');
    const site = (credentials.site ?? {}) as { contentUrl?: unknown };
    const pat = s.pats[name];
    if (!pat || pat.secret !== secret || String(site.contentUrl ?? '') !== s.site.contentUrl) {
      return sendError(request, reply, 401, '401001', 'Error signing in to Tableau Server');
    }
    // A personal access token holds one session: signing in again ends the previous one.
    for (const [token, existing] of s.sessions) if (existing.patName === name) s.sessions.delete(token);
    const token = newToken();
    s.sessions.set(token, { patName: name, siteId: s.site.id, userId: pat.userId });
    s.signIns += 1;
    return send(request, reply, 200, {
      credentials: {
        token,
        estimatedTimeToExpiration: '239:59:59',
        site: { id: s.site.id, contentUrl: s.site.contentUrl },
        user: { id: pat.userId },
      },
    });
  });

  app.post('/api/:version/auth/signout', async (request: Req, reply) => {
    const token = request.headers['x-tableau-auth'];
    if (typeof token === 'string') state().sessions.delete(token);
    return reply.code(204).send();
  });

  app.get('/api/:version/sites/:siteId/datasources', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const s = state();
    const fields: Record<string, (d: SimDataSource) => string | string[]> = {
      name: (d) => d.name,
      projectName: (d) => s.projects.find((p) => p.id === d.projectId)?.name ?? '',
      tags: (d) => d.tags,
      type: (d) => d.type,
      hasExtracts: (d) => String(d.hasExtracts),
      updatedAt: (d) => d.updatedAt,
      createdAt: (d) => d.createdAt,
      ownerName: (d) => s.users.find((u) => u.id === d.ownerId)?.name ?? '',
    };
    let list = s.datasources;
    for (const { field, op, values } of parseFilter(request.query.filter)) {
      const get = fields[field];
      if (!get) return sendError(request, reply, 400, '400000', `Invalid filter field '${field}'.`);
      try {
        list = list.filter((d) => matches(get(d), op, values));
      } catch (err) {
        return sendError(request, reply, 400, '400000', (err as Error).message);
      }
    }
    list = sortBy(list, request.query.sort, (d, field) => String(fields[field]?.(d) ?? ''));
    const { items, pagination } = page(list, request.query);
    return send(request, reply, 200, {
      pagination,
      datasources: { datasource: items.map((d) => dsView(s, d)) },
    });
  });

  app.get('/api/:version/sites/:siteId/datasources/:datasourceId', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const ds = findDataSource(request, reply);
    return ds ? send(request, reply, 200, { datasource: dsView(state(), ds) }) : reply;
  });

  app.get(
    '/api/:version/sites/:siteId/datasources/:datasourceId/connections',
    async (request: Req, reply) => {
      if (!checkVersion(request, reply) || !session(request, reply)) return reply;
      const ds = findDataSource(request, reply);
      if (!ds) return reply;
      return send(request, reply, 200, { connections: { connection: ds.connections.map(connectionView) } });
    },
  );

  app.put(
    '/api/:version/sites/:siteId/datasources/:datasourceId/connections/:connectionId',
    async (request: Req, reply) => {
      if (!checkVersion(request, reply) || !session(request, reply)) return reply;
      const ds = findDataSource(request, reply);
      if (!ds) return reply;
      const connection = ds.connections.find((c) => c.id === request.params.connectionId);
      if (!connection)
        return sendError(
          request,
          reply,
          404,
          '404004',
          `Connection '${request.params.connectionId}' not found.`,
        );
      const update = (requestBody(request).connection ?? {}) as Record<string, unknown>;
      const text = (key: string) => (update[key] === undefined ? undefined : String(update[key]));
      connection.serverAddress = text('serverAddress') ?? connection.serverAddress;
      connection.serverPort = text('serverPort') ?? connection.serverPort;
      connection.userName = text('userName') ?? connection.userName;
      connection.password = text('password') ?? connection.password;
      if (update.embedPassword !== undefined)
        connection.embedPassword = String(update.embedPassword) === 'true';
      if (update.queryTaggingEnabled !== undefined)
        connection.queryTaggingEnabled = String(update.queryTaggingEnabled) === 'true';
      // Saving the connection makes Tableau read the upstream metadata again; a column that was
      // renamed upstream is then resolved, unless the data source's own fields still name it.
      if (ds.schemaError && !ds.schemaError.sticky) ds.schemaError = undefined;
      ds.updatedAt = new Date().toISOString();
      return send(request, reply, 200, { connection: connectionView(connection) });
    },
  );

  app.post('/api/:version/sites/:siteId/datasources/:datasourceId/refresh', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const s = state();
    const ds = findDataSource(request, reply);
    if (!ds) return reply;
    if (!ds.hasExtracts)
      return sendError(
        request,
        reply,
        409,
        '409090',
        `Extract operation for the data source '${ds.name}' is not allowed.`,
      );
    const now = Date.now();
    const active = s.jobs.find((j) => j.datasourceId === ds.id && viewJob(j, now).finishCode === undefined);
    if (active)
      return sendError(
        request,
        reply,
        409,
        '409093',
        `Job for '${ds.name}' is already queued. Not queuing a duplicate.`,
      );
    const behavior = ds.behavior;
    const job: SimJob = {
      id: randomUUID(),
      datasourceId: ds.id,
      createdAtMs: now,
      queueMs: behavior.queueMs,
      runMs: behavior.runMs,
      outcome: ds.schemaError ? 'fail' : behavior.outcome,
      held: behavior.hold,
      notes: ds.schemaError
        ? `com.tableausoftware.nativeapi.dll.DataSourceException: Invalid column name '${ds.schemaError.column}'. ` +
          `The column no longer exists in the underlying table; the data source '${ds.name}' references a field that is missing.`
        : behavior.failureNote,
    };
    s.jobs.push(job);
    const view = jobView(s, job, now);
    return send(request, reply, 202, {
      job: {
        id: view.id,
        mode: view.mode,
        type: view.type,
        createdAt: view.createdAt,
        extractRefreshJob: { datasource: view.extractRefreshJob.datasource },
      },
    });
  });

  app.get('/api/:version/sites/:siteId/jobs/:jobId', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const s = state();
    const job = s.jobs.find((j) => j.id === request.params.jobId);
    if (!job)
      return sendError(request, reply, 404, '404004', `Job '${request.params.jobId}' could not be found.`);
    return send(request, reply, 200, { job: jobView(s, job) });
  });

  app.put('/api/:version/sites/:siteId/jobs/:jobId', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const s = state();
    const job = s.jobs.find((j) => j.id === request.params.jobId);
    if (!job)
      return sendError(request, reply, 404, '404004', `Job '${request.params.jobId}' could not be found.`);
    const now = Date.now();
    if (viewJob(job, now).finishCode === undefined) job.cancelledAtMs = now;
    return send(request, reply, 200, { job: jobView(s, job, now) });
  });

  app.get('/api/:version/sites/:siteId/jobs', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const s = state();
    const now = Date.now();
    let list = s.jobs.map((job) => {
      const view = viewJob(job, now);
      const ds = s.datasources.find((d) => d.id === job.datasourceId);
      return {
        id: job.id,
        status: view.status,
        createdAt: iso(job.createdAtMs)!,
        startedAt: iso(view.startedAtMs),
        endedAt: iso(view.completedAtMs),
        priority: '50',
        jobType: 'refresh_extracts',
        title: ds?.name ?? '',
        subtitle: 'Data Source',
        progress: String(view.progress),
      };
    });
    for (const { field, op, values } of parseFilter(request.query.filter)) {
      if (!['jobType', 'status', 'title', 'createdAt'].includes(field))
        return sendError(request, reply, 400, '400000', `Invalid filter field '${field}'.`);
      list = list.filter((j) => matches(String(j[field as keyof typeof j] ?? ''), op, values));
    }
    list = sortBy(list, request.query.sort ?? 'createdAt:desc', (j, field) =>
      String(j[field as keyof typeof j] ?? ''),
    );
    const { items, pagination } = page(list, request.query);
    return send(request, reply, 200, { pagination, backgroundJobs: { backgroundJob: items } });
  });

  app.get('/api/:version/sites/:siteId/users/:userId', async (request: Req, reply) => {
    if (!checkVersion(request, reply) || !session(request, reply)) return reply;
    const user = state().users.find((u) => u.id === request.params.userId);
    if (!user)
      return sendError(request, reply, 404, '404004', `User '${request.params.userId}' could not be found.`);
    return send(request, reply, 200, { user: { ...user } });
  });

  // Admin: how a data source's refreshes end, a broken schema, the sessions (for session-loss tests).
  const byName = (name: string) => state().datasources.find((d) => d.name === name);
  app.post('/__admin/datasources/:name/behavior', async (request: Req, reply) => {
    const ds = byName(request.params.name!);
    if (!ds) return reply.code(404).send({ error: `no data source ${request.params.name}` });
    const body = (request.body ?? {}) as Partial<RefreshBehavior>;
    if (body.outcome && !['success', 'fail', 'cancel', 'hang'].includes(body.outcome))
      return reply.code(400).send({ error: 'outcome must be success, fail, cancel or hang' });
    ds.behavior = { ...DEFAULT_BEHAVIOR, ...ds.behavior, ...body };
    return ds.behavior;
  });
  app.post('/__admin/datasources/:name/schema-error', async (request: Req, reply) => {
    const ds = byName(request.params.name!);
    if (!ds) return reply.code(404).send({ error: `no data source ${request.params.name}` });
    const body = (request.body ?? {}) as { column?: unknown; sticky?: unknown };
    if (typeof body.column !== 'string' || !body.column)
      return reply.code(400).send({ error: 'column (string) is required' });
    ds.schemaError = { column: body.column, sticky: body.sticky === true };
    return ds.schemaError;
  });
  /** Lets every held job go: its `queueMs` starts now. */
  app.post('/__admin/jobs/release', async () => {
    const now = Date.now();
    const held = state().jobs.filter((j) => j.held && j.releasedAtMs === undefined);
    for (const job of held) job.releasedAtMs = now;
    return { released: held.length };
  });
  app.get('/__admin/sessions', async () => ({ active: state().sessions.size, signIns: state().signIns }));
  /** Ends every session, as a server restart or an admin's "sign out all" would. */
  app.post('/__admin/sessions/expire', async () => {
    const ended = state().sessions.size;
    state().sessions.clear();
    return { ended };
  });
}
