// ERPNext (Frappe) REST client: token auth `token key:secret`; resource lists and the batch RPCs.
import { frappeTimeToUtcMs, utcMsToFrappeTime } from './frappeTime';
import { fetchDispatcher, httpError, vendorFetch } from './https';
import type { Dispatcher } from 'undici';

export interface ErpnextClientOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  extraCaPem?: string;
  timeoutMs?: number;
  /** The site's time zone (IANA), in which it writes `creation` and `modified`; default UTC. */
  timeZone?: string;
}

export class ErpnextClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: ErpnextClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  /** UTC epoch ms of a `creation`/`modified` value this site wrote (NaN when it is not a datetime). */
  utcMs(siteTime: string): number {
    return frappeTimeToUtcMs(siteTime, this.options.timeZone ?? 'UTC');
  }

  /** A UTC instant as this site's local datetime, as a datetime field must be written. */
  siteTime(utcMs: number): string {
    return utcMsToFrappeTime(utcMs, this.options.timeZone ?? 'UTC');
  }

  /** The user the API key belongs to: proves the credentials are accepted. */
  async loggedUser(): Promise<string> {
    const body = (await this.request('GET', '/api/method/frappe.auth.get_logged_user')) as {
      message?: string;
    };
    return String(body.message ?? '');
  }

  /** GET /api/resource/{doctype}: filters as Frappe's [field, op, value] list; pageLength 0 = all. */
  async list<T = Record<string, unknown>>(
    doctype: string,
    options: {
      filters?: unknown[];
      fields?: string[];
      start?: number;
      pageLength?: number;
      orderBy?: string;
    } = {},
  ): Promise<T[]> {
    const params = new URLSearchParams();
    if (options.filters) params.set('filters', JSON.stringify(options.filters));
    if (options.fields) params.set('fields', JSON.stringify(options.fields));
    if (options.orderBy) params.set('order_by', options.orderBy);
    params.set('limit_start', String(options.start ?? 0));
    params.set('limit_page_length', String(options.pageLength ?? 20));
    const body = (await this.request('GET', `/api/resource/${encodeURIComponent(doctype)}?${params}`)) as {
      data?: T[];
    };
    return body.data ?? [];
  }

  /** frappe.client.insert_many: at most 200 documents, all or none; returns the new names in order. */
  async insertMany(doctype: string, docs: Record<string, unknown>[]): Promise<string[]> {
    const body = (await this.request('POST', '/api/method/frappe.client.insert_many', {
      docs: docs.map((d) => ({ ...d, doctype })),
    })) as { message?: string[] };
    return body.message ?? [];
  }

  /** POST /api/resource/{doctype}: one document; returns its name. */
  async insert(doctype: string, doc: Record<string, unknown>): Promise<string> {
    const body = (await this.request('POST', `/api/resource/${encodeURIComponent(doctype)}`, doc)) as {
      data?: { name?: string };
    };
    return String(body.data?.name ?? '');
  }

  /** frappe.client.bulk_update: `docname` per document; returns the names that failed. */
  async bulkUpdate(
    doctype: string,
    docs: ({ docname: string } & Record<string, unknown>)[],
  ): Promise<string[]> {
    const body = (await this.request('POST', '/api/method/frappe.client.bulk_update', {
      docs: docs.map((d) => ({ ...d, doctype })),
    })) as { message?: { failed_docs?: { doc?: { docname?: string } }[] } };
    return (body.message?.failed_docs ?? []).map((f) => String(f.doc?.docname ?? ''));
  }

  /** DELETE /api/resource/{doctype}/{name}. */
  async delete(doctype: string, name: string): Promise<void> {
    await this.request('DELETE', `/api/resource/${encodeURIComponent(doctype)}/${encodeURIComponent(name)}`);
  }

  async request(method: string, path: string, json?: unknown): Promise<unknown> {
    const { response, text } = await vendorFetch('erpnext', new URL(path, this.options.url), {
      method,
      headers: {
        authorization: `token ${this.options.apiKey}:${this.options.apiSecret}`,
        accept: 'application/json',
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      timeoutMs: this.options.timeoutMs ?? 30_000,
      dispatcher: this.dispatcher,
    });
    if (!response.ok) throw httpError('erpnext', response, frappeMessage(response.status, text));
    return text ? JSON.parse(text) : {};
  }
}

/** Frappe errors carry exc_type and a JSON-encoded list of messages in _server_messages. */
function frappeMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { exc_type?: string; message?: string; _server_messages?: string };
    const detail = body.message ?? serverMessages(body._server_messages);
    return `HTTP ${status}${body.exc_type ? ` ${body.exc_type}` : ''}${detail ? `: ${detail}` : ''}`;
  } catch {
    return `HTTP ${status}`;
  }
}

/** `_server_messages` is a JSON list of JSON-encoded `{ message }` objects, often holding HTML. */
function serverMessages(encoded: string | undefined): string | undefined {
  if (!encoded) return undefined;
  const messages = (JSON.parse(encoded) as string[]).map((m) => {
    try {
      return String((JSON.parse(m) as { message?: unknown }).message ?? m);
    } catch {
      return m;
    }
  });
  return (
    messages
      .join('; ')
      .replace(/<[^>]+>/g, '')
      .slice(0, 500) || undefined
  );
}
