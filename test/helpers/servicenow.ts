// Test access to the ServiceNow simulator: its admin endpoints (seed, clock, rate limits) and its
// Table API read as a user would read it (raw fetch with Basic auth, not our client).
import { Agent } from 'undici';
import { SIMULATOR_CREDENTIALS } from '../../scripts/local-env';

export type Row = Record<string, string>;

export class ServicenowSimAccess {
  private readonly dispatcher: Agent;
  constructor(
    readonly url: string,
    caPem: string,
  ) {
    this.dispatcher = new Agent({ connect: { ca: caPem } });
  }

  private async call(method: string, path: string, body?: unknown, auth = true): Promise<Response> {
    const c = SIMULATOR_CREDENTIALS;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth)
      headers.authorization = `Basic ${Buffer.from(`${c.servicenowUser}:${c.servicenowPassword}`).toString('base64')}`;
    return fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...({ dispatcher: this.dispatcher } as object),
    });
  }

  async admin(path: string, body?: unknown): Promise<unknown> {
    const response = await this.call(body === undefined ? 'GET' : 'POST', `/__admin/${path}`, body, false);
    if (!response.ok) throw new Error(`admin ${path} → HTTP ${response.status}: ${await response.text()}`);
    return response.json();
  }

  reset(): Promise<unknown> {
    return this.admin('reset', {});
  }

  setClock(now: string | null): Promise<unknown> {
    return this.admin('servicenow/clock', { now });
  }

  async seed(table: string, records: Row[]): Promise<string[]> {
    return ((await this.admin('servicenow/seed', { table, records })) as { sys_ids: string[] }).sys_ids;
  }

  /** GET /api/now/table/{table} with a query, every row (the vendor's own read API). */
  async list(table: string, query: string): Promise<Row[]> {
    const params = new URLSearchParams({ sysparm_query: query, sysparm_exclude_reference_link: 'true' });
    const response = await this.call('GET', `/api/now/table/${table}?${params}`);
    if (!response.ok) throw new Error(`list ${table} → HTTP ${response.status}`);
    return ((await response.json()) as { result: Row[] }).result;
  }

  async patch(table: string, sysId: string, values: Row): Promise<Row> {
    const response = await this.call('PATCH', `/api/now/table/${table}/${sysId}`, values);
    if (!response.ok) throw new Error(`patch ${table} → HTTP ${response.status}`);
    return ((await response.json()) as { result: Row }).result;
  }

  async requests(): Promise<
    { method: string; path: string; url: string; status?: number; fault?: number }[]
  > {
    return (await this.admin('requests')) as { method: string; path: string; url: string; status?: number }[];
  }
}

/** A 32-hex sys_id whose order among others is chosen by the test. */
export function sysIdFor(n: number): string {
  return n.toString(16).padStart(32, '0');
}
