// A worker from the Workday SOAP API (Get_Workers) as a row of the export contract, so a delta is
// validated by exactly the rules the SFTP full import applies (validateRow, toErpnextEmployee,
// employeeRegion). Pure: no Node built-ins, no I/O.
import { columnIndexes, EMPLOYEE_COLUMNS, type EmployeeColumn } from './employee';
import { validateRow, type RowResult } from './employeeValidation';

/** One worker as Get_Workers returned it: text values, nothing validated yet. */
export interface WorkdayWorker {
  employeeId?: string;
  wid?: string;
  legalFirstName?: string;
  legalLastName?: string;
  /** Preferred name parts; Workday repeats the legal name when none is set. */
  preferredFirstName?: string;
  preferredLastName?: string;
  /** The primary work email, else the first one. */
  email?: string;
  /** ISO 3166-1 alpha-2 of the primary job's business site. */
  country?: string;
  /** The supervisory organization's name. */
  department?: string;
  jobTitle?: string;
  managerId?: string;
  /** As sent, possibly with an offset (`2020-03-15-07:00`); validation keeps the calendar date. */
  hireDate?: string;
  terminationDate?: string;
  active?: boolean;
  terminated?: boolean;
  costCenter?: string;
}

const CONTRACT_HEADER: readonly string[] = EMPLOYEE_COLUMNS.map((c) => c.name);
const INDEXES: Record<EmployeeColumn, number> = columnIndexes(CONTRACT_HEADER);

/**
 * The preferred name as the export carries it (`First Last`), or '' when Workday only repeated
 * the legal name (its way of saying "no preferred name").
 */
export function preferredName(w: WorkdayWorker): string {
  const first = w.preferredFirstName ?? '';
  const last = w.preferredLastName ?? '';
  if (!first && !last) return '';
  if (first === (w.legalFirstName ?? '') && last === (w.legalLastName ?? '')) return '';
  return `${first} ${last}`.trim();
}

/** The worker's values in contract column order (EMPLOYEE_COLUMNS); absent values are ''. */
export function workerRow(w: WorkdayWorker): string[] {
  const values: Record<EmployeeColumn, string | undefined> = {
    Employee_ID: w.employeeId,
    Legal_First_Name: w.legalFirstName,
    Legal_Last_Name: w.legalLastName,
    Preferred_Name: preferredName(w),
    Email: w.email,
    Country: w.country,
    Department: w.department,
    Job_Title: w.jobTitle,
    Manager_ID: w.managerId,
    Hire_Date: w.hireDate,
    Termination_Date: w.terminationDate,
    // A future hire is inactive but not terminated: it is imported as Active, like the export does.
    Status: w.terminated ? 'Terminated' : 'Active',
    Cost_Center: w.costCenter,
  };
  return CONTRACT_HEADER.map((name) => values[name as EmployeeColumn] ?? '');
}

/** Validates a SOAP worker with the export's rules; `position` plays the role of the line number. */
export function validateWorker(w: WorkdayWorker, position: number): RowResult {
  return validateRow(workerRow(w), INDEXES, CONTRACT_HEADER.length, position);
}
