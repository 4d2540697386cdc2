// A Get_Workers `Worker` element, as the `soap` client parses it, mapped to plain fields. The client
// keeps element text as text (dates carry offsets, ids may look numeric), puts attributes under
// `attributes` (with the prefix the server used: Workday answers `wd:`) and text beside attributes
// under `$value`; an element appears once as an object and repeated as an array.
import type { WorkdayWorker } from '../../domain/workdayWorker';

export type SoapNode = Record<string, unknown>;

export const node = (v: unknown): SoapNode | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as SoapNode) : undefined;

export const nodes = (v: unknown): SoapNode[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(node).filter((n): n is SoapNode => !!n);

export const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const n = node(v);
  return n && '$value' in n ? text(n.$value) : undefined;
};

const flag = (v: unknown): boolean | undefined => {
  const t = text(v);
  return t === undefined ? undefined : t === '1' || t === 'true';
};

/** An attribute by local name, whatever prefix the server gave it. */
function attr(element: SoapNode | undefined, name: string): string | undefined {
  const attributes = node(element?.attributes);
  if (!attributes) return undefined;
  const key = Object.keys(attributes).find((k) => k === name || k.endsWith(`:${name}`));
  return key === undefined ? undefined : text(attributes[key]);
}

/** Value of the ID of a type in a `*_Reference` element. */
function idOf(reference: unknown, type: string): string | undefined {
  const id = nodes(node(reference)?.ID).find((i) => attr(i, 'type') === type);
  return id ? text(id) : undefined;
}

/** A worker element → plain object (paths as in Workday's Get_Workers response, v30+). */
export function mapWorker(worker: SoapNode): WorkdayWorker {
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
          (t) => flag(attr(t, 'Primary')) && idOf(t.Type_Reference, 'Communication_Usage_Type_ID') === 'WORK',
        ),
      ),
    ) ?? emails[0];
  const employment = node(data.Employment_Data);
  const jobs = nodes(employment?.Worker_Job_Data);
  const job = jobs.find((j) => flag(attr(j, 'Primary_Job'))) ?? jobs[0];
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
