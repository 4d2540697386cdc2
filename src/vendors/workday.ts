// Workday Human_Resources SOAP client: Get_Workers with WS-Security UsernameToken (`user@tenant`,
// PasswordText), one page per call, mapped to plain objects; SOAP Faults mapped to VendorError kinds.
//
// Why fast-xml-parser + undici and not the `soap` package's client (the simulator uses `soap`): the
// real Human_Resources WSDL is several MB and the `soap` client must load and compile it before the
// first call (per worker start, from the tenant or a vendored copy), it brings a second HTTP stack
// (axios) beside the undici dispatcher that carries our CA trust and timeouts, and its fault errors
// need unpicking anyway. The request is one small fixed envelope; the response is parsed by local
// element name (prefixes stripped: Workday answers `wd:`, others `bsvc:`/`p1:`) with repeating
// elements always as arrays and values kept as text (dates carry offsets, ids may look numeric).
import { XMLParser } from 'fast-xml-parser';
import type { Dispatcher } from 'undici';
import type { WorkdayWorker } from '../domain/workdayWorker';
import { VendorError } from './errors';
import { fetchDispatcher, httpError, vendorFetch } from './https';

export type { WorkdayWorker };

export const WORKDAY_API_VERSION = 'v42.0';
export const MAX_PAGE_COUNT = 999;

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const BSVC = 'urn:com.workday/bsvc';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

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

const REPEATING = new Set([
  'Worker',
  'ID',
  'Worker_Job_Data',
  'Email_Address_Data',
  'Usage_Data',
  'Type_Data',
  'Address_Data',
  'Worker_Organization_Data',
  'Manager_as_of_last_detected_manager_change_Reference',
  'Transaction_Log_Criteria_Data',
]);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => REPEATING.has(name),
});

type Node = Record<string, unknown>;
const node = (v: unknown): Node | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : undefined;
const nodes = (v: unknown): Node[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(node).filter((n): n is Node => !!n);
const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  const n = node(v);
  return n && '#text' in n ? text(String(n['#text'])) : undefined;
};
const flag = (v: unknown): boolean | undefined => {
  const t = text(v);
  return t === undefined ? undefined : t === '1' || t === 'true';
};
const truthy = (v: unknown) => v === '1' || v === 'true';

/** Value of the ID of a type in a `*_Reference` element. */
function idOf(reference: unknown, type: string): string | undefined {
  const id = nodes(node(reference)?.ID).find((i) => i['@_type'] === type);
  return id ? text(id) : undefined;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A worker element → plain object (paths as in Workday's Get_Workers response, v30+). */
export function mapWorker(worker: Node): WorkdayWorker {
  const data = node(worker.Worker_Data) ?? {};
  const personal = node(data.Personal_Data);
  const names = node(personal?.Name_Data);
  const legal = node(node(names?.Legal_Name_Data)?.Name_Detail_Data);
  const preferred = node(node(names?.Preferred_Name_Data)?.Name_Detail_Data);
  const emails = nodes(node(personal?.Contact_Data)?.Email_Address_Data);
  const primaryEmail =
    emails.find((e) =>
      nodes(e.Usage_Data).some((u) =>
        nodes(u.Type_Data).some(
          (t) => truthy(t['@_Primary']) && idOf(t.Type_Reference, 'Communication_Usage_Type_ID') === 'WORK',
        ),
      ),
    ) ?? emails[0];
  const employment = node(data.Employment_Data);
  const jobs = nodes(employment?.Worker_Job_Data);
  const job = jobs.find((j) => truthy(j['@_Primary_Job'])) ?? jobs[0];
  const position = node(job?.Position_Data);
  const site = node(position?.Business_Site_Summary_Data);
  const status = node(employment?.Worker_Status_Data);
  const organizations = nodes(node(data.Organization_Data)?.Worker_Organization_Data);
  const organization = (type: string) =>
    node(
      organizations.find(
        (o) => idOf(node(o.Organization_Data)?.Organization_Type_Reference, 'Organization_Type_ID') === type,
      )?.Organization_Data,
    );
  const manager = nodes(position?.Manager_as_of_last_detected_manager_change_Reference)[0];
  return {
    employeeId: idOf(worker.Worker_Reference, 'Employee_ID') ?? text(data.Worker_ID),
    wid: idOf(worker.Worker_Reference, 'WID'),
    legalFirstName: text(legal?.First_Name),
    legalLastName: text(legal?.Last_Name),
    preferredFirstName: text(preferred?.First_Name),
    preferredLastName: text(preferred?.Last_Name),
    email: text(primaryEmail?.Email_Address),
    country: nodes(site?.Address_Data)
      .map((a) => idOf(a.Country_Reference, 'ISO_3166-1_Alpha-2_Code'))
      .find(Boolean),
    department: text(organization('SUPERVISORY')?.Organization_Name),
    jobTitle: text(position?.Business_Title) ?? text(position?.Position_Title),
    managerId: manager ? idOf(manager, 'Employee_ID') : undefined,
    hireDate: text(status?.Hire_Date),
    terminationDate: text(status?.Termination_Date),
    active: flag(status?.Active),
    terminated: flag(status?.Terminated),
    costCenter: text(organization('COST_CENTER')?.Organization_Code),
  };
}

export class WorkdayClient {
  private readonly dispatcher: Dispatcher;
  readonly endpoint: string;

  constructor(private readonly options: WorkdayClientOptions) {
    this.dispatcher = fetchDispatcher(options.extraCaPem);
    const base = options.url.replace(/\/+$/, '');
    this.endpoint = /\/ccx\/service\//.test(base)
      ? base
      : `${base}/ccx/service/${encodeURIComponent(options.tenant)}/Human_Resources/${WORKDAY_API_VERSION}`;
  }

  /** One page of Get_Workers; with updatedFrom/updatedThrough only workers changed in that window. */
  async getWorkers(query: GetWorkersQuery): Promise<GetWorkersPage> {
    if (query.count < 1 || query.count > MAX_PAGE_COUNT)
      throw new VendorError('workday', 'invalid', `Count must be 1..${MAX_PAGE_COUNT}, got ${query.count}`);
    const range =
      query.updatedFrom && query.updatedThrough
        ? '<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>' +
          `<bsvc:Updated_From>${escapeXml(query.updatedFrom)}</bsvc:Updated_From>` +
          `<bsvc:Updated_Through>${escapeXml(query.updatedThrough)}</bsvc:Updated_Through>` +
          '</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data>' +
          // Terminations are changes too: inactive workers stay in a delta.
          '<bsvc:Exclude_Inactive_Workers>false</bsvc:Exclude_Inactive_Workers></bsvc:Request_Criteria>'
        : '';
    const body =
      `<bsvc:Get_Workers_Request bsvc:version="${WORKDAY_API_VERSION}">${range}` +
      '<bsvc:Response_Filter>' +
      `<bsvc:As_Of_Effective_Date>${escapeXml(query.asOf.slice(0, 10))}</bsvc:As_Of_Effective_Date>` +
      `<bsvc:As_Of_Entry_DateTime>${escapeXml(query.asOf)}</bsvc:As_Of_Entry_DateTime>` +
      `<bsvc:Page>${Math.trunc(query.page)}</bsvc:Page><bsvc:Count>${Math.trunc(query.count)}</bsvc:Count>` +
      '</bsvc:Response_Filter><bsvc:Response_Group>' +
      '<bsvc:Include_Reference>true</bsvc:Include_Reference>' +
      '<bsvc:Include_Personal_Information>true</bsvc:Include_Personal_Information>' +
      '<bsvc:Include_Employment_Information>true</bsvc:Include_Employment_Information>' +
      '<bsvc:Include_Organizations>true</bsvc:Include_Organizations>' +
      '<bsvc:Exclude_Organization_Support_Role_Data>true</bsvc:Exclude_Organization_Support_Role_Data>' +
      '</bsvc:Response_Group></bsvc:Get_Workers_Request>';
    const envelope = node(await this.call(body))!;
    const response = node(node(envelope.Body)?.Get_Workers_Response);
    if (!response) throw new VendorError('workday', 'unavailable', 'response has no Get_Workers_Response');
    const results = node(response.Response_Results) ?? {};
    const number = (v: unknown) => Number(text(v) ?? 0);
    return {
      page: number(results.Page) || query.page,
      totalPages: number(results.Total_Pages),
      totalResults: number(results.Total_Results),
      workers: nodes(node(response.Response_Data)?.Worker).map(mapWorker),
    };
  }

  /** Posts one request element in an envelope with the UsernameToken; returns the parsed Envelope. */
  private async call(requestXml: string): Promise<unknown> {
    const { tenant, username, password } = this.options;
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<soapenv:Envelope xmlns:soapenv="${SOAPENV}" xmlns:bsvc="${BSVC}"><soapenv:Header>` +
      `<wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="${WSSE}"><wsse:UsernameToken>` +
      `<wsse:Username>${escapeXml(`${username}@${tenant}`)}</wsse:Username>` +
      `<wsse:Password Type="${PASSWORD_TEXT}">${escapeXml(password)}</wsse:Password>` +
      '</wsse:UsernameToken></wsse:Security></soapenv:Header>' +
      `<soapenv:Body>${requestXml}</soapenv:Body></soapenv:Envelope>`;
    const { response, text: xml } = await vendorFetch('workday', this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml;charset=UTF-8', accept: 'text/xml' },
      body: envelope,
      timeoutMs: this.options.timeoutMs ?? 120_000,
      dispatcher: this.dispatcher,
    });
    let parsed: Node | undefined;
    try {
      parsed = node(node(parser.parse(xml))?.Envelope);
    } catch {
      parsed = undefined;
    }
    const fault = node(node(parsed?.Body)?.Fault);
    if (fault) throw faultError(fault, response.status);
    if (!response.ok) throw httpError('workday', response, `HTTP ${response.status}`);
    if (!parsed)
      throw new VendorError('workday', 'unavailable', `HTTP ${response.status}: not a SOAP envelope`);
    return parsed;
  }
}

/**
 * Workday sends every fault as HTTP 500, so the faultcode decides: authenticationError → auth (a
 * person must fix the ISU), validationError and other Client faults → invalid (the same request
 * fails again), Server faults → unavailable (retry).
 */
export function faultError(fault: Node, status: number): VendorError {
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
