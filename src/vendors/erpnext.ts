// ERPNext (Frappe) REST client: token auth `token key:secret`. Later issues add the Employee resource.
import { fetchDispatcher } from './https';
import { VendorError, describeFetchError, kindForStatus, parseRetryAfter } from './errors';
import type { Dispatcher } from 'undici';

export interface ErpnextClientOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  extraCaPem?: string;
  timeoutMs?: number;
}

export class ErpnextClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: ErpnextClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
  }

  /** The user the API key belongs to: proves the credentials are accepted. */
  async loggedUser(): Promise<string> {
    const body = (await this.request('GET', '/api/method/frappe.auth.get_logged_user')) as {
      message?: string;
    };
    return String(body.message ?? '');
  }

  async request(method: string, path: string, json?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.options.url), {
        method,
        headers: {
          authorization: `token ${this.options.apiKey}:${this.options.apiSecret}`,
          accept: 'application/json',
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        // Node's fetch accepts an undici dispatcher; the DOM typings do not know it.
        ...({ dispatcher: this.dispatcher } as object),
      });
    } catch (err) {
      throw new VendorError('erpnext', 'unavailable', describeFetchError(err));
    }
    const text = await response.text();
    if (!response.ok) {
      throw new VendorError('erpnext', kindForStatus(response.status), frappeMessage(response.status, text), {
        status: response.status,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    return text ? JSON.parse(text) : {};
  }
}

/** Frappe errors carry exc_type and a JSON-encoded list of messages in _server_messages. */
function frappeMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { exc_type?: string; message?: string };
    return `HTTP ${status}${body.exc_type ? ` ${body.exc_type}` : ''}${body.message ? `: ${body.message}` : ''}`;
  } catch {
    return `HTTP ${status}`;
  }
}
