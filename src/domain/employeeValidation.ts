// Row validation against the Workday export contract, the ERPNext Employee shape, and the content
// hash that lets an import skip records whose content did not change. Pure, no Node built-ins.
import { z } from 'zod';
import {
  EMPLOYEE_COLUMNS,
  type EmployeeColumn,
  type QuarantineEntry,
  type Region,
  regionFor,
} from './employee';

/** ISO 3166-1 alpha-2, officially assigned codes. */
export const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
    'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
    'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
    'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
    'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
    'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** A validated worker, values trimmed, dates as `YYYY-MM-DD`, country upper-case. */
export interface EmployeeRecord {
  employeeId: string;
  legalFirstName: string;
  legalLastName: string;
  preferredName?: string;
  email: string;
  country: string;
  department?: string;
  jobTitle?: string;
  managerId?: string;
  hireDate: string;
  terminationDate?: string;
  status: 'Active' | 'Terminated';
  costCenter?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Workday dates are ISO dates, often with an offset (`2020-01-15-07:00`, `2020-01-15Z`): the
 * calendar date is kept, the offset dropped (a date has no instant). Undefined when not a real date.
 */
export function parseWorkdayDate(value: string): string | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

const text = (max: number) => z.string().max(max, `longer than ${max} characters`);
const optional = (max: number) => text(max).optional();
const date = z.string().transform((v, ctx) => {
  const parsed = parseWorkdayDate(v);
  if (!parsed) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not an ISO date (YYYY-MM-DD)' });
  return parsed ?? v;
});

const rowSchema = z
  .object({
    Employee_ID: text(64).regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, - and _ allowed'),
    Legal_First_Name: text(140),
    Legal_Last_Name: text(140),
    Preferred_Name: optional(140),
    Email: text(254).email('not a valid email address'),
    Country: z
      .string()
      .transform((v) => v.toUpperCase())
      .refine((v) => ISO_COUNTRIES.has(v), 'not an ISO 3166 alpha-2 country code'),
    Department: optional(140),
    Job_Title: optional(140),
    Manager_ID: optional(64),
    Hire_Date: date,
    Termination_Date: date.optional(),
    Status: z.enum(['Active', 'Terminated'], { message: 'must be Active or Terminated' }).default('Active'),
    Cost_Center: optional(140),
  })
  .superRefine((row, ctx) => {
    if (row.Termination_Date && row.Termination_Date < row.Hire_Date)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['Termination_Date'], message: 'before Hire_Date' });
  });

export type RowResult = { ok: true; record: EmployeeRecord } | { ok: false; errors: QuarantineEntry[] };

/**
 * Validates one data row. `values` are the row's cells, `indexes` the contract columns' positions
 * (see columnIndexes), `headerLength` the number of header columns, `line` the row's first line.
 */
export function validateRow(
  values: readonly string[],
  indexes: Record<EmployeeColumn, number>,
  headerLength: number,
  line: number,
): RowResult {
  if (values.length !== headerLength) {
    return {
      ok: false,
      errors: [{ line, field: '(row)', reason: `has ${values.length} columns, header has ${headerLength}` }],
    };
  }
  const input: Record<string, string> = {};
  const errors: QuarantineEntry[] = [];
  for (const { name, required } of EMPLOYEE_COLUMNS) {
    const i = indexes[name];
    const value = i >= 0 ? (values[i] ?? '').trim() : '';
    if (value !== '') input[name] = value;
    else if (required) errors.push({ line, field: name, reason: 'required value missing' });
  }
  const parsed = rowSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '(row)');
      if (errors.some((e) => e.field === field)) continue;
      errors.push({ line, field, reason: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: errors.sort(byField) };
  const r = parsed.data;
  return {
    ok: true,
    record: {
      employeeId: r.Employee_ID,
      legalFirstName: r.Legal_First_Name,
      legalLastName: r.Legal_Last_Name,
      preferredName: r.Preferred_Name,
      email: r.Email,
      country: r.Country,
      department: r.Department,
      jobTitle: r.Job_Title,
      managerId: r.Manager_ID,
      hireDate: r.Hire_Date,
      terminationDate: r.Termination_Date,
      status: r.Status,
      costCenter: r.Cost_Center,
    },
  };
}

function byField(a: QuarantineEntry, b: QuarantineEntry): number {
  return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
}

export function employeeRegion(record: EmployeeRecord): Region {
  return regionFor(record.country);
}

/** The ERPNext Employee fields an import writes; custom fields carry the `custom_` prefix. */
export interface ErpnextEmployeeFields {
  employee_number: string;
  first_name: string;
  last_name: string;
  employee_name: string;
  custom_preferred_name: string | null;
  company_email: string;
  custom_country: string;
  department: string | null;
  designation: string | null;
  custom_manager_employee_number: string | null;
  date_of_joining: string;
  relieving_date: string | null;
  status: 'Active' | 'Left';
  custom_cost_center: string | null;
  /** contentHash of the other fields: an unchanged record is not sent again. */
  custom_workday_hash: string;
}

export function toErpnextEmployee(r: EmployeeRecord): ErpnextEmployeeFields {
  const fields: Omit<ErpnextEmployeeFields, 'custom_workday_hash'> = {
    employee_number: r.employeeId,
    first_name: r.legalFirstName,
    last_name: r.legalLastName,
    employee_name: `${r.legalFirstName} ${r.legalLastName}`,
    custom_preferred_name: r.preferredName ?? null,
    company_email: r.email,
    custom_country: r.country,
    department: r.department ?? null,
    designation: r.jobTitle ?? null,
    custom_manager_employee_number: r.managerId ?? null,
    date_of_joining: r.hireDate,
    relieving_date: r.terminationDate ?? null,
    status: r.status === 'Terminated' ? 'Left' : 'Active',
    custom_cost_center: r.costCenter ?? null,
  };
  return { ...fields, custom_workday_hash: contentHash(fields) };
}

/** Keys sorted, so the same content always serialises the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * 106-bit change-detection hash (two seeded 53-bit cyrb53 lanes) of the canonical JSON, as 28 hex
 * digits. Not a security hash: it only tells "same content" from "changed". Pure JS so that it runs
 * anywhere the domain runs.
 */
export function contentHash(value: unknown): string {
  const s = canonicalJson(value);
  return (
    cyrb53(s, 0x9e3779b9).toString(16).padStart(14, '0') +
    cyrb53(s, 0x85ebca6b).toString(16).padStart(14, '0')
  );
}

function cyrb53(str: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
