// Salesforce rules shared by workflows and activities (pure, deterministic): the (SystemModstamp, Id)
// keyset cursor and its SOQL, the API allocation and its reserve, EU/EEA routing of Accounts.
import { regionFor, type Region } from './employee';

export const SALESFORCE_CONNECTOR = 'salesforce';
/** The singleton sync (holds the cursor; the schedule and Outbound Messages wake it). */
export const ACCOUNT_SYNC_WORKFLOW_ID = 'salesforce-account-sync';
/** The settings workflow: the cross-worker request pool and its CAB-gated size. */
export const SETTINGS_WORKFLOW_ID = 'salesforce-settings';
/** The network team's dependency every pool-size change must name. */
export const POOL_CHANGE_DEPENDENCY = 'NET-771';
export const DEFAULT_POOL_SIZE = 5;

/** Position after the last Account read: SystemModstamp (ISO 8601, UTC) and Id, both ordered. */
export interface SalesforceCursor {
  systemModstamp: string;
  id: string;
}

export const ACCOUNT_FIELDS = ['Id', 'Name', 'BillingCountryCode', 'SystemModstamp', 'IsDeleted'] as const;

/** An Account as the sync reads it (REST JSON or Bulk CSV). */
export interface SalesforceAccount {
  Id: string;
  Name: string;
  BillingCountryCode: string | null;
  SystemModstamp: string;
  IsDeleted: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;

export function cursorProblem(cursor: SalesforceCursor): string | undefined {
  if (!ISO.test(cursor.systemModstamp)) return 'cursor.systemModstamp must be ISO 8601 UTC (…Z)';
  if (!ID.test(cursor.id)) return 'cursor.id must be a 15- or 18-character Salesforce Id';
  return undefined;
}

/** SOQL datetime literal: unquoted, UTC, seconds precision (Salesforce stores seconds). */
export function soqlDateTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Accounts strictly after the cursor in (SystemModstamp, Id) order and before the horizon (a second
 * still being written is read next time, never split), deleted ones included (queryAll).
 */
export function accountDeltaSoql(
  cursor: SalesforceCursor | undefined,
  horizon: string,
  limit?: number,
): string {
  const after = cursor
    ? ` AND (SystemModstamp > ${soqlDateTime(cursor.systemModstamp)} OR (SystemModstamp = ${soqlDateTime(cursor.systemModstamp)} AND Id > '${cursor.id}'))`
    : '';
  return (
    `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account WHERE SystemModstamp < ${soqlDateTime(horizon)}${after}` +
    ` ORDER BY SystemModstamp, Id${limit ? ` LIMIT ${limit}` : ''}`
  );
}

export function countSoql(cursor: SalesforceCursor | undefined, horizon: string): string {
  return accountDeltaSoql(cursor, horizon)
    .replace(/^SELECT .* FROM/, 'SELECT COUNT() FROM')
    .replace(/ ORDER BY.*$/, '');
}

/** The later of two positions (either may be absent). */
export function laterCursor(
  a: SalesforceCursor | undefined,
  b: SalesforceCursor | undefined,
): SalesforceCursor | undefined {
  if (!a) return b;
  if (!b) return a;
  const ta = Date.parse(a.systemModstamp);
  const tb = Date.parse(b.systemModstamp);
  if (ta !== tb) return ta > tb ? a : b;
  return a.id >= b.id ? a : b;
}

/** EU/EEA billing countries go only to the EU ERPNext (as Workday employees do); others to the US one. */
export function accountRegion(account: Pick<SalesforceAccount, 'BillingCountryCode'>): Region {
  return regionFor(account.BillingCountryCode ?? '');
}

/** The org's rolling 24-hour API allocation, from `Sforce-Limit-Info: api-usage=used/max` or /limits. */
export interface ApiUsage {
  used: number;
  max: number;
}

export function parseLimitInfo(header: string | null | undefined): ApiUsage | undefined {
  const m = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return m ? { used: Number(m[1]), max: Number(m[2]) } : undefined;
}

/** Requests left before the reserve: at or below zero, park. */
export function headroom(usage: ApiUsage | undefined, reserve: number): number {
  return usage ? usage.max - usage.used - reserve : Number.POSITIVE_INFINITY;
}
