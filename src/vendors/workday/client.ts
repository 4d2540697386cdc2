// Workday Human_Resources SOAP client on the `soap` package: the WSDL is loaded once per worker from
// a vendored copy, WS-Security UsernameToken (`user@tenant`, PasswordText), one Get_Workers page per
// call, the same CA trust as every other client (our HTTPS agent), SOAP Faults mapped to VendorError.
import type { Agent as HttpsAgent } from 'node:https';
import path from 'node:path';
import * as soap from 'soap';
import type { WorkdayWorker } from '../../domain/workdayWorker';
import { VendorError, kindForStatus, parseRetryAfter } from '../errors';
import { httpsAgent } from '../https';
import { mapWorker, node, nodes, text, type SoapNode } from './workerMapping';

export const WORKDAY_API_VERSION = 'v42.0';
export const MAX_PAGE_COUNT = 999;
export const WSDL_FILE = path.join(__dirname, 'Human_Resources.wsdl');

// Dates stay text: Workday's dates carry offsets (`2021-04-01-07:00`) that a JS Date would drop or
// turn into null; the domain converts them. Numbers and booleans use soap's own parsing.
const KEEP_TEXT = { date: (t: string) => t, dateTime: (t: string) => t };

export interface WorkdayClientOptions {
  /** Web services host (`https://wd2-impl-services1.workday.com`) or the full Human_Resources URL. */
  url: string;
  tenant: string;
  /** The Integration System User without `@tenant`. */
  username: string;
  password: string;
  extraCaPem?: string;
  /** Long Get_Workers pages can take tens of seconds. */
  timeoutMs?: number;
}

export interface GetWorkersQuery {
  /** Transaction log window (entry moments), ISO date-times. */
  updatedFrom?: string;
  updatedThrough?: string;
  /** Every page of one run must use the same as-of moment (one snapshot). */
  asOf: string;
  page: number;
  /** At most 999. */
  count: number;
}

export interface GetWorkersPage {
  page: number;
  totalPages: number;
  totalResults: number;
  workers: WorkdayWorker[];
}

export class WorkdayClient {
  readonly endpoint: string;
  private readonly agent: HttpsAgent;
  private client: Promise<soap.Client> | undefined;

  constructor(private readonly options: WorkdayClientOptions) {
    this.agent = httpsAgent(options.extraCaPem);
    const base = options.url.replace(/\/+$/, '');
    this.endpoint = /\/ccx\/service\//.test(base)
      ? base
      : `${base}/ccx/service/${encodeURIComponent(options.tenant)}/Human_Resources/${WORKDAY_API_VERSION}`;
  }

  /** One page of Get_Workers; with updatedFrom/updatedThrough only workers changed in that window. */
  async getWorkers(query: GetWorkersQuery): Promise<GetWorkersPage> {
    if (query.count < 1 || query.count > MAX_PAGE_COUNT)
      throw new VendorError('workday', 'invalid', `Count must be 1..${MAX_PAGE_COUNT}, got ${query.count}`);
    const client = await this.soapClient();
    let answer: SoapNode | undefined;
    try {
      [answer] = (await client.Get_WorkersAsync(getWorkersRequest(query), {
        httpsAgent: this.agent,
        timeout: this.options.timeoutMs ?? 120_000,
      })) as [SoapNode | undefined];
    } catch (err) {
      throw soapError(err);
    }
    if (!answer) throw new VendorError('workday', 'unavailable', 'response has no Get_Workers_Response');
    const results = node(answer.Response_Results) ?? {};
    const number = (v: unknown) => Number(text(v) ?? 0);
    return {
      page: number(results.Page) || query.page,
      totalPages: number(results.Total_Pages),
      totalResults: number(results.Total_Results),
      workers: nodes(node(answer.Response_Data)?.Worker).map(mapWorker),
    };
  }

  /** The WSDL is read and compiled once per client (per worker); a failed load is tried again. */
  private soapClient(): Promise<soap.Client> {
    this.client ??= soap
      .createClientAsync(WSDL_FILE, { endpoint: this.endpoint, customDeserializer: KEEP_TEXT })
      .then((client) => {
        const { username, tenant, password } = this.options;
        client.setSecurity(
          new soap.WSSecurity(`${username}@${tenant}`, password, {
            passwordType: 'PasswordText',
            hasTimeStamp: false,
            hasNonce: false,
            hasTokenCreated: false,
            mustUnderstand: true,
          }),
        );
        return client;
      })
      .catch((err: unknown) => {
        this.client = undefined;
        throw new VendorError('workday', 'invalid', `WSDL ${WSDL_FILE}: ${(err as Error).message}`);
      });
    return this.client;
  }
}

/** The request in the WSDL's element order (the `soap` client writes keys in the order given). */
function getWorkersRequest(query: GetWorkersQuery): SoapNode {
  const window =
    query.updatedFrom && query.updatedThrough
      ? {
          Request_Criteria: {
            Transaction_Log_Criteria_Data: {
              Transaction_Date_Range_Data: {
                Updated_From: query.updatedFrom,
                Updated_Through: query.updatedThrough,
              },
            },
            // Terminations are changes too: inactive workers stay in a delta.
            Exclude_Inactive_Workers: false,
          },
        }
      : {};
  return {
    attributes: { 'wd:version': WORKDAY_API_VERSION },
    ...window,
    Response_Filter: {
      As_Of_Effective_Date: query.asOf.slice(0, 10),
      As_Of_Entry_DateTime: query.asOf,
      Page: Math.trunc(query.page),
      Count: Math.trunc(query.count),
    },
    Response_Group: {
      Include_Reference: true,
      Include_Personal_Information: true,
      Include_Employment_Information: true,
      Include_Organizations: true,
      Exclude_Organization_Support_Role_Data: true,
    },
  };
}

interface SoapCallError {
  message: string;
  code?: string;
  root?: { Envelope?: { Body?: { Fault?: SoapNode } } };
  response?: { status: number; headers?: Record<string, string | undefined> };
}

/** A failed call: a SOAP Fault by its faultcode, else the HTTP status, else the network cause. */
function soapError(err: unknown): VendorError {
  if (err instanceof VendorError) return err;
  const failure = err as SoapCallError;
  const status = failure.response?.status;
  const fault = failure.root?.Envelope?.Body?.Fault;
  if (fault) return faultError(fault, status ?? 500);
  if (status) {
    return new VendorError('workday', kindForStatus(status), `HTTP ${status}`, {
      status,
      retryAfterSeconds: parseRetryAfter(failure.response?.headers?.['retry-after']),
    });
  }
  return new VendorError(
    'workday',
    'unavailable',
    failure.code ? `${failure.code}: ${failure.message}` : failure.message,
  );
}

/**
 * Workday sends every fault as HTTP 500, so the faultcode decides: authenticationError → auth (a
 * person must fix the ISU), validationError and other Client faults → invalid (the same request
 * fails again), Server faults → unavailable (retry).
 */
export function faultError(fault: SoapNode, status: number): VendorError {
  const code = text(fault.faultcode) ?? 'SOAP-ENV:Server';
  const message = text(fault.faultstring) ?? 'SOAP Fault';
  const local = code.includes(':') ? code.slice(code.indexOf(':') + 1) : code;
  const kind = /authenticationError/i.test(local)
    ? 'auth'
    : local.startsWith('Client')
      ? 'invalid'
      : 'unavailable';
  return new VendorError('workday', kind, `${local}: ${message}`, { status, code: local });
}
