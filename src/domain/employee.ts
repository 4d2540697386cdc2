// The Workday worker export contract (columns, required, EU/EEA residency) and schema-drift rules.
// Pure and deterministic: the workflow imports this file for the drift gate and the report; row
// validation with zod lives in employeeValidation.ts (activities only).

export interface ColumnSpec {
  /** The column header in the export. */
  name: string;
  /** The column must be present in the header, and every row must carry a value. */
  required: boolean;
}

export const EMPLOYEE_COLUMNS = [
  { name: 'Employee_ID', required: true },
  { name: 'Legal_First_Name', required: true },
  { name: 'Legal_Last_Name', required: true },
  { name: 'Preferred_Name', required: false },
  { name: 'Email', required: true },
  { name: 'Country', required: true },
  { name: 'Department', required: false },
  { name: 'Job_Title', required: false },
  { name: 'Manager_ID', required: false },
  { name: 'Hire_Date', required: true },
  { name: 'Termination_Date', required: false },
  { name: 'Status', required: false },
  { name: 'Cost_Center', required: false },
] as const satisfies readonly ColumnSpec[];

export type EmployeeColumn = (typeof EMPLOYEE_COLUMNS)[number]['name'];

const CONTRACT_NAMES: ReadonlySet<string> = new Set(EMPLOYEE_COLUMNS.map((c) => c.name));

/** Export files are `workers_YYYYMMDD.csv`; the date in the name orders them. */
export const EXPORT_FILE_PATTERN = /^workers_(\d{8})\.csv$/;

/** The newest export by the date in its name, or undefined when none matches the pattern. */
export function newestExportFile(names: readonly string[]): string | undefined {
  return names
    .filter((n) => EXPORT_FILE_PATTERN.test(n))
    .sort()
    .at(-1);
}

export type Region = 'eu' | 'us';
export const REGIONS: readonly Region[] = ['eu', 'us'];

/** The ERPNext connector of a region (data residency: EU records only to the EU site). */
export type ErpnextConnector = 'erpnext' | 'erpnext-eu';

export function erpnextConnectorFor(region: Region): ErpnextConnector {
  return region === 'eu' ? 'erpnext-eu' : 'erpnext';
}

/** The region an ERPNext connector writes to. */
export function regionOfErpnextConnector(connector: string): Region {
  return connector === 'erpnext-eu' ? 'eu' : 'us';
}

/** EU member states plus the EEA's Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2). */
export const EU_EEA_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE ' + // EU-27
    'IS LI NO'
  ) // EEA
    .split(' '),
);

/** EU/EEA employees live only in the EU ERPNext; every other country in the default (US) one. */
export function regionFor(country: string): Region {
  return EU_EEA_COUNTRIES.has(country.toUpperCase()) ? 'eu' : 'us';
}

/**
 * A human's answer to a missing required column: `mapping` renames contract columns to columns the
 * file has (`{ "Email": "Work_Email" }`).
 */
export type ColumnMapping = Partial<Record<EmployeeColumn, string>>;

export interface DriftDecision {
  who: string;
  action: 'proceed' | 'abort';
  mapping?: ColumnMapping;
}

export interface Drift {
  /** Columns in the file the contract does not know (reported, passed by policy). */
  unknownColumns: string[];
  /** Required contract columns absent from the file (after the mapping): the import stops. */
  missingRequired: EmployeeColumn[];
  /** Optional contract columns absent from the file (informational). */
  missingOptional: EmployeeColumn[];
}

/** Header names as exported: trimmed (exports pad them), a BOM already stripped by the parser. */
export function normalizeHeader(header: readonly string[]): string[] {
  return header.map((h) => h.trim());
}

/** Compares a header with the contract; a mapping's source columns count as known. */
export function detectDrift(header: readonly string[], mapping: ColumnMapping = {}): Drift {
  const names = normalizeHeader(header);
  const present = new Set(names);
  const mappedSources = new Set(Object.values(mapping));
  const has = (column: EmployeeColumn) => present.has(mapping[column] ?? column);
  return {
    unknownColumns: names.filter((n) => n !== '' && !CONTRACT_NAMES.has(n) && !mappedSources.has(n)),
    missingRequired: EMPLOYEE_COLUMNS.filter((c) => c.required && !has(c.name)).map((c) => c.name),
    missingOptional: EMPLOYEE_COLUMNS.filter((c) => !c.required && !has(c.name)).map((c) => c.name),
  };
}

/** Index of each contract column in the header (-1 when absent), after the mapping. */
export function columnIndexes(
  header: readonly string[],
  mapping: ColumnMapping = {},
): Record<EmployeeColumn, number> {
  const names = normalizeHeader(header);
  const out = {} as Record<EmployeeColumn, number>;
  for (const { name } of EMPLOYEE_COLUMNS) out[name] = names.indexOf(mapping[name] ?? name);
  return out;
}

/** Duplicate column names make a row ambiguous: reported as a drift the import cannot pass. */
export function duplicateColumns(header: readonly string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const n of normalizeHeader(header)) (seen.has(n) ? dupes : seen).add(n);
  return [...dupes];
}

/** One invalid row: where and why, never the value (the reason must be safe to show anywhere). */
export interface QuarantineEntry {
  line: number;
  field: string;
  reason: string;
}

export interface RegionCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Employees whose country moved them here: their record in the other region was deleted. */
  movedIn: number;
}

export function emptyRegionCounts(): RegionCounts {
  return { created: 0, updated: 0, unchanged: 0, failed: 0, movedIn: 0 };
}

export function addRegionCounts(a: RegionCounts, b: RegionCounts): RegionCounts {
  return {
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    failed: a.failed + b.failed,
    movedIn: a.movedIn + b.movedIn,
  };
}

/** `field: reason` → count; bounded so a file full of errors cannot bloat the history. */
export type ReasonCounts = Record<string, number>;
export const MAX_REASON_KEYS = 50;

export function addReasonCounts(a: ReasonCounts, b: ReasonCounts): ReasonCounts {
  const out = { ...a };
  for (const [key, n] of Object.entries(b)) {
    const target = key in out || Object.keys(out).length < MAX_REASON_KEYS ? key : 'other';
    out[target] = (out[target] ?? 0) + n;
  }
  return out;
}

export function reasonKey(entry: Pick<QuarantineEntry, 'field' | 'reason'>): string {
  return `${entry.field}: ${entry.reason}`;
}
