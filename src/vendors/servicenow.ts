// ServiceNow REST client: Table API, Import Set API, Basic auth or OAuth (password grant with
// refresh). Its hourly budget is kept by the worker's vendor pacer (src/pacing/), in vendorFetch.
// Raw values only (sysparm_display_value=false, no reference links): every value is a string and
// datetimes are `YYYY-MM-DD HH:MM:SS` UTC, which is what we store. No retries here: Temporal owns them.
import type { Dispatcher } from 'undici';
import { VendorError } from './errors';
import { fetchDispatcher, httpError, vendorFetch } from './https';

export type SnRecord = Record<string, string>;

export interface ServicenowClientOptions {
  url: string;
  username: string;
  password: string;
  /** OAuth password grant when set; Basic auth otherwise. */
  oauth?: { clientId: string; clientSecret: string };
  extraCaPem?: string;
  timeoutMs?: number;
}

export interface ListOptions {
  query?: string;
  fields?: string[];
  limit?: number;
  offset?: number;
}

export interface ImportRowResult {
  importSet: string;
  status: 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error';
  table: string;
  sysId: string;
  number: string;
  errorMessage?: string;
}

export class ServicenowClient {
  private readonly dispatcher: Dispatcher;
  private token?: { access: string; refresh?: string; expiresAt: number };
  private tokenRequest?: Promise<string>;
  /** Requests sent (including token requests): the benchmark reports it. */
  requests = 0;

  constructor(private readonly options: ServicenowClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  async list(
    table: string,
    options: ListOptions = {},
  ): Promise<{ records: SnRecord[]; totalCount?: number }> {
    const params = new URLSearchParams({
      sysparm_display_value: 'false',
      sysparm_exclude_reference_link: 'true',
      sysparm_suppress_pagination_header: 'true',
    });
    if (options.query) params.set('sysparm_query', options.query);
    if (options.fields) params.set('sysparm_fields', options.fields.join(','));
    if (options.limit !== undefined) params.set('sysparm_limit', String(options.limit));
    if (options.offset !== undefined) params.set('sysparm_offset', String(options.offset));
    const { body, headers } = await this.request(
      'GET',
      `/api/now/table/${encodeURIComponent(table)}?${params}`,
    );
    const total = headers.get('x-total-count');
    return {
      records: ((body as { result?: unknown[] }).result ?? []).map(flatten),
      totalCount: total === null ? undefined : Number(total),
    };
  }

  /** The instance's clock (the HTTP Date header of a cheap authenticated call), to the second. */
  async serverTime(): Promise<Date> {
    const { headers } = await this.request(
      'GET',
      '/api/now/table/sys_user?sysparm_limit=1&sysparm_fields=sys_id&sysparm_no_count=true',
    );
    const date = Date.parse(headers.get('date') ?? '');
    if (Number.isNaN(date))
      throw new VendorError('servicenow', 'unavailable', 'response without a Date header');
    return new Date(date);
  }

  async get(table: string, sysId: string): Promise<SnRecord> {
    const { body } = await this.request(
      'GET',
      `/api/now/table/${encodeURIComponent(table)}/${encodeURIComponent(sysId)}?sysparm_exclude_reference_link=true`,
    );
    return flatten((body as { result: unknown }).result);
  }

  async create(table: string, values: Record<string, string>): Promise<SnRecord> {
    const { body } = await this.request('POST', `/api/now/table/${encodeURIComponent(table)}`, values);
    return flatten((body as { result: unknown }).result);
  }

  async update(table: string, sysId: string, values: Record<string, string>): Promise<SnRecord> {
    const path = `/api/now/table/${encodeURIComponent(table)}/${encodeURIComponent(sysId)}`;
    const { body } = await this.request('PATCH', path, values);
    return flatten((body as { result: unknown }).result);
  }

  /** One row through an Import Set's synchronous transform (coalesce decides insert or update). */
  async importRow(stagingTable: string, row: Record<string, string>): Promise<ImportRowResult> {
    const { body } = await this.request('POST', `/api/now/import/${encodeURIComponent(stagingTable)}`, row);
    const b = body as {
      import_set?: string;
      result?: {
        status?: string;
        table?: string;
        sys_id?: string;
        record_link?: string;
        display_value?: string;
        error_message?: string;
        status_message?: string;
      }[];
    };
    const first = b.result?.[0];
    if (!first) throw new VendorError('servicenow', 'unavailable', 'Import Set answered without a result');
    // Sources disagree on whether sys_id is the staging or the target row; record_link names the target.
    const linked = first.record_link?.split('/').pop();
    return {
      importSet: b.import_set ?? '',
      status: (first.status ?? 'error') as ImportRowResult['status'],
      table: first.table ?? '',
      sysId: linked || first.sys_id || '',
      number: first.display_value ?? '',
      errorMessage: first.error_message ?? first.status_message,
    };
  }

  private async authorization(): Promise<string> {
    const { username, password, oauth } = this.options;
    if (!oauth) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return `Bearer ${this.token.access}`;
    // Concurrent requests share one token request: a cold worker would otherwise send one each,
    // and every one of them spends the hourly budget.
    this.tokenRequest ??= this.requestToken(oauth).finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async requestToken(oauth: { clientId: string; clientSecret: string }): Promise<string> {
    const { username, password } = this.options;
    const form = new URLSearchParams({ client_id: oauth.clientId, client_secret: oauth.clientSecret });
    if (this.token?.refresh) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', this.token.refresh);
    } else {
      form.set('grant_type', 'password');
      form.set('username', username);
      form.set('password', password);
    }
    let response: { body: unknown };
    try {
      response = await this.send('POST', '/oauth_token.do', form.toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
    } catch (err) {
      // A refresh token that is no longer accepted: fall back to the password grant once.
      if (this.token?.refresh && err instanceof VendorError && err.kind === 'auth') {
        this.token = undefined;
        return this.requestToken(oauth);
      }
      throw err;
    }
    const t = response.body as { access_token?: string; refresh_token?: string; expires_in?: number };
    if (!t.access_token)
      throw new VendorError('servicenow', 'auth', 'token endpoint returned no access_token');
    this.token = {
      access: t.access_token,
      refresh: t.refresh_token ?? this.token?.refresh,
      expiresAt: Date.now() + (t.expires_in ?? 1800) * 1000,
    };
    return `Bearer ${this.token.access}`;
  }

  private async request(
    method: string,
    path: string,
    json?: unknown,
  ): Promise<{ body: unknown; headers: Headers }> {
    const headers = {
      accept: 'application/json',
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const body = json === undefined ? undefined : JSON.stringify(json);
    try {
      return await this.send(method, path, body, { ...headers, authorization: await this.authorization() });
    } catch (err) {
      // An OAuth token revoked early: get a new one and try once more.
      if (!(this.options.oauth && this.token && err instanceof VendorError && err.details.status === 401))
        throw err;
      this.token = undefined;
      return this.send(method, path, body, { ...headers, authorization: await this.authorization() });
    }
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<{ body: unknown; headers: Headers }> {
    this.requests += 1;
    const { response, text } = await vendorFetch('servicenow', new URL(path, this.options.url), {
      method,
      headers,
      body,
      timeoutMs: this.options.timeoutMs ?? 30_000,
      dispatcher: this.dispatcher,
    });
    if (!response.ok) throw httpError('servicenow', response, errorMessage(response.status, text));
    return { body: text ? JSON.parse(text) : {}, headers: response.headers };
  }
}

/** Reference fields may still arrive as {value, link}; keep the raw value. */
function flatten(raw: unknown): SnRecord {
  const out: SnRecord = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    out[key] =
      value && typeof value === 'object'
        ? String((value as { value?: unknown }).value ?? '')
        : String(value ?? '');
  }
  return out;
}

/** `{"error":{"message","detail"},"status":"failure"}`, or OAuth's `{error, error_description}`. */
function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string; detail?: string | null } | string;
      error_description?: string;
    };
    if (typeof body.error === 'object' && body.error) {
      return `HTTP ${status}: ${body.error.message ?? ''}${body.error.detail ? ` (${body.error.detail})` : ''}`;
    }
    if (typeof body.error === 'string')
      return `HTTP ${status}: ${body.error} ${body.error_description ?? ''}`.trim();
  } catch {
    // not JSON
  }
  return `HTTP ${status}`;
}
