// Salesforce REST and Bulk API 2.0 client over the one vendorFetch (our CA trust, no retries of its
// own: Temporal's). OAuth 2.0 client credentials at the login URL; the answer's `instance_url` is
// where every data call goes. A 401 INVALID_SESSION_ID (the org's session timeout) refreshes the
// token once, then fails as rejected credentials. Every answer's `Sforce-Limit-Info` is kept
// (`usage`), and 403 REQUEST_LIMIT_EXCEEDED becomes a `LimitExceeded` error, never a retry.
import type { Dispatcher } from 'undici';
import { parseLimitInfo, type ApiUsage } from '../../domain/salesforce';
import { VendorError } from '../errors';
import { fetchDispatcher, httpError, vendorFetch } from '../https';

export interface SalesforceClientOptions {
  /** Where the token endpoint is: https://login.salesforce.com or the org's My Domain. */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
  extraCaPem?: string;
  timeoutMs?: number;
}

/** The daily allocation fell to nothing: Salesforce answers 403 REQUEST_LIMIT_EXCEEDED. */
export class LimitExceededError extends VendorError {
  constructor(
    message: string,
    readonly usage: ApiUsage | undefined,
  ) {
    super('salesforce', 'rate-limited', message, { status: 403, code: 'REQUEST_LIMIT_EXCEEDED' });
    this.name = 'LimitExceededError';
  }
}

export interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export interface SaveResult {
  id: string | null;
  success: boolean;
  created?: boolean;
  errors: { statusCode: string; message: string; fields?: string[] }[];
}

export interface BulkJob {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
}

interface Session {
  accessToken: string;
  instanceUrl: string;
}

/** The first entry of Salesforce's error array, `CODE: message`. */
function errorText(status: number, text: string): { code?: string; message: string } {
  try {
    const body = JSON.parse(text) as
      { errorCode?: string; message?: string }[] | { error?: string; error_description?: string };
    if (Array.isArray(body) && body[0])
      return { code: body[0].errorCode, message: `${body[0].errorCode}: ${body[0].message}` };
    if (!Array.isArray(body) && body.error)
      return { code: body.error, message: `${body.error}: ${body.error_description ?? ''}` };
  } catch {
    // not JSON
  }
  return { message: `HTTP ${status}` };
}

export class SalesforceClient {
  private readonly dispatcher: Dispatcher;
  private session?: Promise<Session>;
  /** The allocation as the latest answer reported it. */
  usage?: ApiUsage;
  /** Data API requests this client sent (for the benchmark's count). */
  requests = 0;

  constructor(private readonly options: SalesforceClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  private async signIn(): Promise<Session> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
    });
    const { response, text } = await vendorFetch(
      'salesforce',
      new URL('/services/oauth2/token', this.options.loginUrl),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        timeoutMs: this.options.timeoutMs ?? 30_000,
        dispatcher: this.dispatcher,
      },
    );
    if (!response.ok) {
      const { message, code } = errorText(response.status, text);
      // invalid_client / invalid_grant: the connected app refused us; a retry cannot help.
      throw httpError('salesforce', response, `token: ${message}`, {
        kind: response.status < 500 ? 'auth' : undefined,
        code,
      });
    }
    const body = JSON.parse(text) as { access_token: string; instance_url: string };
    return { accessToken: body.access_token, instanceUrl: body.instance_url };
  }

  private current(): Promise<Session> {
    this.session ??= this.signIn().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  /** One data API call: `path` under /services/data/vNN.0 (or a full /services/... path). */
  async call(
    method: string,
    path: string,
    body?: { json?: unknown; csv?: string },
    headers: Record<string, string> = {},
  ): Promise<{ text: string; headers: Headers }> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.current();
      const full = path.startsWith('/services/') ? path : `/services/data/${this.options.apiVersion}${path}`;
      this.requests++;
      const { response, text } = await vendorFetch('salesforce', new URL(full, session.instanceUrl), {
        method,
        headers: {
          authorization: `Bearer ${session.accessToken}`,
          accept: body?.csv !== undefined ? 'application/json' : 'application/json, text/csv',
          ...(body?.json !== undefined && { 'content-type': 'application/json' }),
          ...(body?.csv !== undefined && { 'content-type': 'text/csv' }),
          ...headers,
        },
        body: body?.csv ?? (body?.json !== undefined ? JSON.stringify(body.json) : undefined),
        timeoutMs: this.options.timeoutMs ?? 60_000,
        dispatcher: this.dispatcher,
      });
      this.usage = parseLimitInfo(response.headers.get('sforce-limit-info')) ?? this.usage;
      if (response.ok) return { text, headers: response.headers };
      const { code, message } = errorText(response.status, text);
      if (response.status === 401 && code === 'INVALID_SESSION_ID' && attempt === 0) {
        // The org's session timeout passed: sign in again, once.
        if ((await this.session) === session) this.session = undefined;
        continue;
      }
      if (response.status === 403 && code === 'REQUEST_LIMIT_EXCEEDED')
        throw new LimitExceededError(message, this.usage);
      throw httpError('salesforce', response, message, { code });
    }
  }

  private async json<T>(
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const { text } = await this.call(method, path, json === undefined ? undefined : { json }, headers);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** SOQL (`queryAll` includes deleted records); `batchSize` 200–2000 records per page. */
  query<T>(soql: string, options: { all?: boolean; batchSize?: number } = {}): Promise<QueryPage<T>> {
    return this.json<QueryPage<T>>(
      'GET',
      `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`,
      undefined,
      options.batchSize ? { 'sforce-query-options': `batchSize=${options.batchSize}` } : {},
    );
  }

  queryMore<T>(nextRecordsUrl: string): Promise<QueryPage<T>> {
    return this.json<QueryPage<T>>('GET', nextRecordsUrl);
  }

  /** The org's remaining daily API allocation. */
  async limits(): Promise<ApiUsage> {
    const body = await this.json<{ DailyApiRequests: { Max: number; Remaining: number } }>('GET', '/limits');
    return {
      max: body.DailyApiRequests.Max,
      used: body.DailyApiRequests.Max - body.DailyApiRequests.Remaining,
    };
  }

  /** sObject Collections upsert on a field (Id or an external id): at most 200 records a call. */
  upsertCollection(object: string, field: string, records: Record<string, unknown>[]): Promise<SaveResult[]> {
    return this.json<SaveResult[]>('PATCH', `/composite/sobjects/${object}/${field}`, {
      allOrNone: false,
      records: records.map((r) => ({ attributes: { type: object }, ...r })),
    });
  }

  /** PATCH one record by Id. */
  async update(object: string, id: string, values: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/sobjects/${object}/${encodeURIComponent(id)}`, { json: values });
  }

  async createIngestJob(object: string, operation: 'upsert', externalIdFieldName: string): Promise<BulkJob> {
    return this.json<BulkJob>('POST', '/jobs/ingest', {
      object,
      operation,
      externalIdFieldName,
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
  }

  async uploadIngestData(jobId: string, csv: string): Promise<void> {
    await this.call('PUT', `/jobs/ingest/${jobId}/batches`, { csv });
  }

  closeIngestJob(jobId: string, state: 'UploadComplete' | 'Aborted' = 'UploadComplete'): Promise<BulkJob> {
    return this.json<BulkJob>('PATCH', `/jobs/ingest/${jobId}`, { state });
  }

  ingestJob(jobId: string): Promise<BulkJob> {
    return this.json<BulkJob>('GET', `/jobs/ingest/${jobId}`);
  }

  /** failedResults / successfulResults as CSV text. */
  async ingestResults(jobId: string, which: 'failedResults' | 'successfulResults'): Promise<string> {
    return (await this.call('GET', `/jobs/ingest/${jobId}/${which}`)).text;
  }

  createQueryJob(soql: string, operation: 'query' | 'queryAll'): Promise<BulkJob> {
    return this.json<BulkJob>('POST', '/jobs/query', { operation, query: soql });
  }

  queryJob(jobId: string): Promise<BulkJob> {
    return this.json<BulkJob>('GET', `/jobs/query/${jobId}`);
  }

  /** One page of a query job's CSV; `locator` undefined at the end ("null" on the wire). */
  async queryResults(
    jobId: string,
    locator: string | undefined,
    maxRecords: number,
  ): Promise<{ csv: string; locator?: string }> {
    const params = new URLSearchParams({ maxRecords: String(maxRecords), ...(locator && { locator }) });
    const { text, headers } = await this.call('GET', `/jobs/query/${jobId}/results?${params}`);
    const next = headers.get('sforce-locator');
    return { csv: text, locator: next && next !== 'null' ? next : undefined };
  }
}
