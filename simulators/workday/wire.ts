// Get_Workers on the wire: reads the request object the `soap` package parsed from the envelope
// (element prefixes already stripped, attributes by local name), validates it as Workday does
// (Client.validationError with Validation_Error/Message|Detail_Message|Xpath), and shapes workers
// into Worker/Worker_Data objects the `soap` package serialises under the `wd:` prefix.
import { createHash } from 'node:crypto';
import type { SimWorker, WorkerQuery } from './state';

export const MAX_COUNT = 999;
export const DEFAULT_COUNT = 100;
const ROOT = '/ns0:Get_Workers_Request[1]';

export interface SoapFault {
  Fault: { faultcode: string; faultstring: string; detail?: { $xml: string }; statusCode: number };
}

function escapeXml(value: string): string {
  const entities: Record<string, string> = {
    '<': '&lt;',
    '>': '&gt;',
    '&': '&amp;',
    '"': '&quot;',
    "'": '&apos;',
  };
  return value.replace(/[<>&"']/g, (c) => entities[c]!);
}

export function soapFault(faultcode: string, faultstring: string, detailXml?: string): SoapFault {
  return {
    Fault: {
      faultcode,
      faultstring,
      ...(detailXml ? { detail: { $xml: detailXml } } : {}),
      statusCode: 500,
    },
  };
}

export function validationFault(message: string, xpath: string): SoapFault {
  const detail =
    '<wd:Validation_Fault xmlns:wd="urn:com.workday/bsvc"><wd:Validation_Error>' +
    `<wd:Message>${escapeXml(message)}</wd:Message>` +
    `<wd:Detail_Message>${escapeXml(message)}</wd:Detail_Message>` +
    `<wd:Xpath>${escapeXml(xpath)}</wd:Xpath>` +
    '</wd:Validation_Error></wd:Validation_Fault>';
  return soapFault('SOAP-ENV:Client.validationError', message, detail);
}

export const authenticationFault = (): SoapFault =>
  soapFault('SOAP-ENV:Client.authenticationError', 'invalid username or password');

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Text of an element the parser gave as a string, or as `{ attributes, $value }`. */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  return o && '$value' in o ? textOf(o.$value) : undefined;
}

/** An attribute by local name, whatever prefix the client used (`bsvc:type`, `p1:type`, `type`). */
export function attributeOf(v: unknown, name: string): string | undefined {
  const attrs = obj(obj(v)?.attributes);
  if (!attrs) return undefined;
  for (const [key, value] of Object.entries(attrs))
    if (key === name || key.endsWith(`:${name}`)) return String(value);
  return undefined;
}

function flag(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  const t = textOf(v);
  return t === 'true' || t === '1';
}

/** xs:dateTime with an offset (or none = UTC) → epoch ms. */
function parseDateTime(value: string | undefined, xpath: string): number | undefined {
  if (value === undefined) return undefined;
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw validationFault(`'${value}' is not a valid dateTime`, xpath);
  return ms;
}

function positiveInteger(value: string | undefined, xpath: string, label: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw validationFault(`${label} must be a whole number`, xpath);
  return Number(value);
}

export interface ParsedRequest {
  version: string;
  query: Omit<WorkerQuery, 'asOfEntry'> & { asOfEntry: number };
  page: number;
  count: number;
  /** Response_Group omitted → everything. */
  include: { personal: boolean; employment: boolean; organizations: boolean; reference: boolean };
  echo: { asOfEntry: string; asOfEffective: string };
}

/** Validates a Get_Workers_Request; throws a SoapFault the way Workday answers bad requests. */
export function parseGetWorkers(args: unknown, now: number): ParsedRequest {
  const request = obj(args) ?? {};
  const version = attributeOf(request, 'version') ?? 'v42.0';
  const criteria = obj(request.Request_Criteria);
  const filter = obj(request.Response_Filter) ?? {};
  const group = obj(request.Response_Group);

  const filterPath = `${ROOT}/ns0:Response_Filter[1]`;
  const page = positiveInteger(textOf(filter.Page), `${filterPath}/ns0:Page[1]`, 'Page') ?? 1;
  if (page === 0) throw validationFault('Page Number cannot be zero', `${filterPath}/ns0:Page[1]`);
  const count = positiveInteger(textOf(filter.Count), `${filterPath}/ns0:Count[1]`, 'Count') ?? DEFAULT_COUNT;
  if (count < 1 || count > MAX_COUNT)
    throw validationFault(
      `Count must be between 1 and ${MAX_COUNT}; it was ${count}`,
      `${filterPath}/ns0:Count[1]`,
    );
  const asOfEntry =
    parseDateTime(textOf(filter.As_Of_Entry_DateTime), `${filterPath}/ns0:As_Of_Entry_DateTime[1]`) ?? now;
  const asOfEffective =
    textOf(filter.As_Of_Effective_Date)?.slice(0, 10) ?? new Date(asOfEntry).toISOString().slice(0, 10);

  const query: ParsedRequest['query'] = { asOfEntry, asOfEffective };
  if (criteria) {
    const logs = list(criteria.Transaction_Log_Criteria_Data);
    const range = obj(obj(logs[0])?.Transaction_Date_Range_Data);
    if (range) {
      const rangePath = `${ROOT}/ns0:Request_Criteria[1]/ns0:Transaction_Log_Criteria_Data[1]/ns0:Transaction_Date_Range_Data[1]`;
      const from = parseDateTime(textOf(range.Updated_From), `${rangePath}/ns0:Updated_From[1]`);
      const through = parseDateTime(textOf(range.Updated_Through), `${rangePath}/ns0:Updated_Through[1]`);
      if ((from === undefined) !== (through === undefined))
        throw validationFault(
          'If one of Updated From or Updated Through contains a value, both are Required!',
          rangePath,
        );
      if (from !== undefined && through !== undefined) {
        if (from > through)
          throw validationFault('Updated From must be less than or equal to Updated Through', rangePath);
        if (through > now)
          throw validationFault(
            'Updated Through must be less than or equal to Current Moment!',
            `${rangePath}/ns0:Updated_Through[1]`,
          );
        query.updated = { from, through };
      }
      const effFrom = textOf(range.Effective_From)?.slice(0, 10);
      const effThrough = textOf(range.Effective_Through)?.slice(0, 10);
      if ((effFrom === undefined) !== (effThrough === undefined))
        throw validationFault(
          'If one of Effective From or Effective Through contains a value, both are Required!',
          rangePath,
        );
      if (effFrom !== undefined && effThrough !== undefined) {
        if (effFrom > effThrough)
          throw validationFault('Effective From must be less than or equal to Effective Through', rangePath);
        query.effective = { from: effFrom, through: effThrough };
      }
    }
    query.excludeInactive = flag(criteria.Exclude_Inactive_Workers) ?? false;
  }

  const references = obj(request.Request_References);
  if (references) {
    const ids: string[] = [];
    list(references.Worker_Reference).forEach((ref, i) => {
      for (const id of list(obj(ref)?.ID)) {
        const type = attributeOf(id, 'type');
        const value = textOf(id) ?? '';
        if (type !== 'Employee_ID' && type !== 'WID')
          throw validationFault(
            `Invalid ID type '${type ?? ''}'`,
            `${ROOT}/ns0:Request_References[1]/ns0:Worker_Reference[${i + 1}]`,
          );
        ids.push(type === 'WID' ? `wid:${value}` : value);
      }
    });
    query.ids = ids;
  }

  const include = group
    ? {
        reference: flag(group.Include_Reference) ?? false,
        personal: flag(group.Include_Personal_Information) ?? false,
        employment: flag(group.Include_Employment_Information) ?? false,
        organizations: flag(group.Include_Organizations) ?? false,
      }
    : { reference: true, personal: true, employment: true, organizations: true };
  return {
    version,
    query,
    page,
    count,
    include,
    echo: { asOfEntry: new Date(asOfEntry).toISOString(), asOfEffective },
  };
}

/** Workday's 32-hex WID; derived from the Employee_ID so it is stable across resets. */
export function widFor(employeeId: string): string {
  return createHash('md5').update(`worker:${employeeId}`).digest('hex');
}

const id = (type: string, value: string) => ({ attributes: { 'wd:type': type }, $value: value });
const ref = (descriptor: string | undefined, ...ids: ReturnType<typeof id>[]) => ({
  ...(descriptor ? { attributes: { 'wd:Descriptor': descriptor } } : {}),
  ID: ids,
});

function nameDetail(first: string, last: string, country?: string) {
  return {
    Name_Detail_Data: {
      attributes: { 'wd:Formatted_Name': `${first} ${last}`, 'wd:Reporting_Name': `${last}, ${first}` },
      ...(country ? { Country_Reference: ref(undefined, id('ISO_3166-1_Alpha-2_Code', country)) } : {}),
      First_Name: first,
      Last_Name: last,
    },
  };
}

/** One `wd:Worker` element as an object for the soap serializer. */
export function workerElement(w: SimWorker, include: ParsedRequest['include'], asOfEffective: string) {
  const name = `${w.legalFirstName} ${w.legalLastName}`;
  const hired = w.hireDate.slice(0, 10) <= asOfEffective;
  const terminated = w.status === 'Terminated';
  const organizations = [
    w.department && {
      Organization_Reference: ref(w.department, id('Organization_Reference_ID', `SUP-${w.department}`)),
      Organization_Data: {
        Organization_Name: w.department,
        Organization_Type_Reference: ref('Supervisory', id('Organization_Type_ID', 'SUPERVISORY')),
      },
    },
    w.costCenter && {
      Organization_Reference: ref(w.costCenter, id('Organization_Reference_ID', w.costCenter)),
      Organization_Data: {
        Organization_Code: w.costCenter,
        Organization_Name: w.costCenter,
        Organization_Type_Reference: ref('Cost Center', id('Organization_Type_ID', 'COST_CENTER')),
      },
    },
  ].filter(Boolean);
  return {
    ...(include.reference
      ? { Worker_Reference: ref(name, id('WID', widFor(w.employeeId)), id('Employee_ID', w.employeeId)) }
      : {}),
    Worker_Descriptor: name,
    Worker_Data: {
      Worker_ID: w.employeeId,
      User_ID: w.email.split('@')[0],
      ...(include.personal
        ? {
            Personal_Data: {
              Name_Data: {
                Legal_Name_Data: nameDetail(w.legalFirstName, w.legalLastName, w.country),
                // Workday repeats the legal name when no preferred name is set.
                Preferred_Name_Data: nameDetail(
                  w.preferredFirstName ?? w.legalFirstName,
                  w.preferredLastName ?? w.legalLastName,
                ),
              },
              Contact_Data: {
                Email_Address_Data: [
                  {
                    Email_Address: w.email,
                    Usage_Data: [
                      {
                        attributes: { 'wd:Public': '1' },
                        Type_Data: [
                          {
                            attributes: { 'wd:Primary': '1' },
                            Type_Reference: ref('Work', id('Communication_Usage_Type_ID', 'WORK')),
                          },
                        ],
                      },
                    ],
                  },
                ],
              },
            },
          }
        : {}),
      ...(include.employment
        ? {
            Employment_Data: {
              Worker_Job_Data: [
                {
                  attributes: { 'wd:Primary_Job': '1' },
                  Position_Data: {
                    ...(w.jobTitle ? { Position_Title: w.jobTitle, Business_Title: w.jobTitle } : {}),
                    Business_Site_Summary_Data: {
                      Name: `Office ${w.country}`,
                      Address_Data: [
                        { Country_Reference: ref(undefined, id('ISO_3166-1_Alpha-2_Code', w.country)) },
                      ],
                    },
                    ...(w.managerId
                      ? {
                          Manager_as_of_last_detected_manager_change_Reference: [
                            ref(undefined, id('WID', widFor(w.managerId)), id('Employee_ID', w.managerId)),
                          ],
                        }
                      : {}),
                  },
                },
              ],
              Worker_Status_Data: {
                Active: hired && !terminated ? '1' : '0',
                Hire_Date: w.hireDate,
                Terminated: terminated ? '1' : '0',
                ...(w.terminationDate ? { Termination_Date: w.terminationDate } : {}),
              },
            },
          }
        : {}),
      ...(include.organizations && organizations.length > 0
        ? { Organization_Data: { Worker_Organization_Data: organizations } }
        : {}),
    },
  };
}
