// Bulk API 2.0: ingest jobs (Open → UploadComplete → InProgress → JobComplete, CSV upload, results as
// CSV with sf__Id/sf__Created or sf__Error) and query jobs (UploadComplete → InProgress →
// JobComplete, results paged by `locator` with the Sforce-Locator header, "null" on the last page).
// A job stays InProgress for `bulkProcessingMs` after it is closed; its work happens on the first
// status read after that.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimulatorContext } from '../kit/http-simulator';
import { fromCsv, toCsv } from './csv';
import { parseSoql, project, runSoql, SoqlError, type Row } from './soql';
import { newId, refusedBy, writeAccount, type IngestJob, type QueryJob, type SalesforceState } from './state';

type Ctx = SimulatorContext<SalesforceState>;
type Params = { Params: { id: string }; Querystring: Record<string, string | undefined> };

export function sfError(
  reply: FastifyReply,
  status: number,
  errorCode: string,
  message: string,
): FastifyReply {
  return reply.code(status).send([{ message, errorCode, fields: [] }]);
}

function jobInfo(job: IngestJob | QueryJob): Row {
  const base = {
    id: job.id,
    state: job.state,
    apiVersion: 60.0,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
  };
  if (job.kind === 'query')
    return {
      ...base,
      operation: job.operation,
      object: 'Account',
      numberRecordsProcessed: job.rows?.length ?? 0,
    };
  return {
    ...base,
    object: job.object,
    operation: job.operation,
    externalIdFieldName: job.externalIdFieldName,
    numberRecordsProcessed: job.numberRecordsProcessed,
    numberRecordsFailed: job.numberRecordsFailed,
    retries: 0,
    totalProcessingTime: 0,
  };
}

function processIngest(state: SalesforceState, job: IngestJob): void {
  const rows = fromCsv(job.csv ?? '');
  for (const row of rows) {
    const values = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '#N/A' ? null : v]));
    const rule = refusedBy(state, values);
    if (rule) {
      job.failed.push({ sf__Id: '', sf__Error: `${rule.errorCode}:${rule.message}:--`, ...row });
      continue;
    }
    try {
      const key = job.externalIdFieldName;
      let id: string | undefined;
      if (job.operation === 'upsert' && key && key !== 'Id')
        id = [...state.accounts.values()].find((a) => String(a[key]) === String(values[key]))?.Id;
      else id = (values.Id as string) || undefined;
      const out = writeAccount(state, id, values);
      job.successful.push({ sf__Id: out.id, sf__Created: String(out.created), ...row });
    } catch (err) {
      const code = (err as { errorCode?: string }).errorCode ?? 'UNKNOWN_EXCEPTION';
      job.failed.push({ sf__Id: '', sf__Error: `${code}:${(err as Error).message}:--`, ...row });
    }
  }
  job.numberRecordsProcessed = rows.length;
  job.numberRecordsFailed = job.failed.length;
  job.state = 'JobComplete';
}

function advance(state: SalesforceState, job: IngestJob | QueryJob): void {
  if (job.state !== 'InProgress' && job.state !== 'UploadComplete') return;
  if (job.kind === 'ingest' && job.state === 'UploadComplete') job.state = 'InProgress';
  if (job.kind === 'query' && job.state === 'UploadComplete') job.state = 'InProgress';
  if (Date.now() < (job.readyAt ?? 0)) return;
  if (job.kind === 'ingest') return processIngest(state, job);
  const soql = parseSoql(job.query);
  const all = [...state.accounts.values()].filter((a) => job.operation === 'queryAll' || !a.IsDeleted);
  job.fields = soql.fields;
  job.rows = runSoql(soql, all).map((r) => project(soql, r));
  job.state = 'JobComplete';
}

export function bulkRoutes(app: FastifyInstance, ctx: Ctx, base: string): void {
  // Bulk 2.0 takes up to 150 MB of CSV per upload.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 150 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const job = <K extends 'ingest' | 'query'>(kind: K, id: string) => {
    const found = ctx.state.jobs.get(id);
    return found && found.kind === kind ? (found as K extends 'ingest' ? IngestJob : QueryJob) : undefined;
  };

  app.post(`${base}/jobs/ingest`, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    if (body.object !== 'Account')
      return sfError(reply, 400, 'INVALIDENTITY', `sObject type '${body.object}' is not supported`);
    if (!['insert', 'update', 'upsert', 'delete'].includes(body.operation ?? ''))
      return sfError(reply, 400, 'INVALIDJOB', 'bad operation');
    if (body.operation === 'upsert' && !body.externalIdFieldName)
      return sfError(reply, 400, 'INVALIDJOB', 'externalIdFieldName is required for upsert');
    const created: IngestJob = {
      id: newId(ctx.state, '750'),
      kind: 'ingest',
      object: 'Account',
      operation: body.operation as IngestJob['operation'],
      externalIdFieldName: body.externalIdFieldName,
      state: 'Open',
      successful: [],
      failed: [],
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
    };
    ctx.state.jobs.set(created.id, created);
    return reply.code(200).send(jobInfo(created));
  });
  app.put<Params>(`${base}/jobs/ingest/:id/batches`, async (request, reply) => {
    const found = job('ingest', request.params.id);
    if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
    if (found.state !== 'Open') return sfError(reply, 409, 'INVALIDJOBSTATE', `job is ${found.state}`);
    found.csv = (found.csv ?? '') + String(request.body ?? '');
    return reply.code(201).send();
  });
  app.patch<Params>(`${base}/jobs/ingest/:id`, async (request, reply) => {
    const found = job('ingest', request.params.id);
    if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
    const next = (request.body as { state?: string }).state;
    if (next === 'UploadComplete' && found.state === 'Open') {
      found.state = 'UploadComplete';
      found.readyAt = Date.now() + ctx.state.bulkProcessingMs;
    } else if (next === 'Aborted') found.state = 'Aborted';
    else return sfError(reply, 400, 'INVALIDJOBSTATE', `cannot go from ${found.state} to ${next}`);
    return jobInfo(found);
  });
  app.get<Params>(`${base}/jobs/ingest/:id`, async (request, reply) => {
    const found = job('ingest', request.params.id);
    if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
    advance(ctx.state, found);
    return jobInfo(found);
  });
  for (const [route, pick] of [
    ['successfulResults', (j: IngestJob) => ({ rows: j.successful, lead: ['sf__Id', 'sf__Created'] })],
    ['failedResults', (j: IngestJob) => ({ rows: j.failed, lead: ['sf__Id', 'sf__Error'] })],
  ] as const) {
    app.get<Params>(`${base}/jobs/ingest/:id/${route}`, async (request, reply) => {
      const found = job('ingest', request.params.id);
      if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
      if (found.state !== 'JobComplete')
        return sfError(reply, 409, 'INVALIDJOBSTATE', `job is ${found.state}`);
      const { rows, lead } = pick(found);
      const input = fromCsv(found.csv ?? '');
      const columns = [...lead, ...Object.keys(input[0] ?? {})];
      return reply.type('text/csv').send(toCsv(columns, rows));
    });
  }
  app.delete<Params>(`${base}/jobs/:kind/:id`, async (request, reply) => {
    ctx.state.jobs.delete(request.params.id);
    return reply.code(204).send();
  });

  app.post(`${base}/jobs/query`, async (request, reply) => {
    const body = (request.body ?? {}) as { operation?: string; query?: string };
    try {
      parseSoql(body.query ?? '');
    } catch (err) {
      return sfError(reply, 400, 'MALFORMED_QUERY', (err as SoqlError).message);
    }
    const created: QueryJob = {
      id: newId(ctx.state, '750'),
      kind: 'query',
      operation: body.operation === 'queryAll' ? 'queryAll' : 'query',
      query: body.query ?? '',
      state: 'UploadComplete',
      readyAt: Date.now() + ctx.state.bulkProcessingMs,
    };
    ctx.state.jobs.set(created.id, created);
    return jobInfo(created);
  });
  app.get<Params>(`${base}/jobs/query/:id`, async (request, reply) => {
    const found = job('query', request.params.id);
    if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
    advance(ctx.state, found);
    return jobInfo(found);
  });
  app.get<Params>(`${base}/jobs/query/:id/results`, async (request, reply) => {
    const found = job('query', request.params.id);
    if (!found) return sfError(reply, 404, 'NOT_FOUND', 'job not found');
    if (found.state !== 'JobComplete' || !found.rows)
      return sfError(reply, 409, 'INVALIDJOBSTATE', `job is ${found.state}`);
    const start = Number(
      request.query.locator ? Buffer.from(request.query.locator, 'base64url').toString() : 0,
    );
    const max = Math.min(Number(request.query.maxRecords || 50_000), 100_000);
    const page = found.rows.slice(start, start + max);
    const next =
      start + max < found.rows.length ? Buffer.from(String(start + max)).toString('base64url') : 'null';
    reply.header('sforce-locator', next).header('sforce-numberofrecords', String(page.length));
    return reply.type('text/csv').send(toCsv(found.fields ?? [], page));
  });
}
