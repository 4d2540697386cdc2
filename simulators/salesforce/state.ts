// Recorded state of the Salesforce simulator: Accounts (soft-deleted ones kept for queryAll), the
// org's rolling API allocation, issued sessions, Bulk 2.0 jobs, validation rules and per-record write
// counts (so a test can tell "written once" from "written twice").
import { randomBytes } from 'node:crypto';
import type { Row } from './soql';

export interface Account extends Row {
  Id: string;
  Name: string;
  BillingCountryCode: string | null;
  SystemModstamp: string;
  IsDeleted: boolean;
}

export interface IngestJob {
  id: string;
  kind: 'ingest';
  object: string;
  operation: 'insert' | 'update' | 'upsert' | 'delete';
  externalIdFieldName?: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  csv?: string;
  readyAt?: number;
  successful: Row[];
  failed: (Row & { sf__Error: string })[];
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
}

export interface QueryJob {
  id: string;
  kind: 'query';
  operation: 'query' | 'queryAll';
  query: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  readyAt: number;
  rows?: Row[];
  fields?: string[];
}

/** A record whose `field` equals `equals` is refused with this error (until the rule is removed). */
export interface ValidationRule {
  field: string;
  equals: string;
  errorCode: string;
  message: string;
}

export interface SalesforceState {
  orgId: string;
  accounts: Map<string, Account>;
  /** Rolling 24-hour API allocation. */
  allocation: { max: number; used: number };
  sessions: Map<string, number>;
  sessionTtlMs: number;
  jobs: Map<string, IngestJob | QueryJob>;
  /** How long a Bulk job stays InProgress after upload/creation. */
  bulkProcessingMs: number;
  rules: ValidationRule[];
  /** Writes per Account Id (REST and Bulk). */
  writes: Map<string, number>;
  /** Open REST query cursors (nextRecordsUrl). */
  cursors: Map<string, { rows: Row[]; fields: string[]; object: string; batch: number }>;
  nextId: number;
  /** Last SystemModstamp handed out (strictly increasing unless a test pins it). */
  lastStamp: number;
}

export function createSalesforceState(): SalesforceState {
  return {
    orgId: '00D000000000001AAA',
    accounts: new Map(),
    allocation: { max: 100_000, used: 0 },
    sessions: new Map(),
    sessionTtlMs: 2 * 60 * 60 * 1000,
    jobs: new Map(),
    bulkProcessingMs: 0,
    rules: [],
    writes: new Map(),
    cursors: new Map(),
    nextId: 1,
    lastStamp: 0,
  };
}

/** Salesforce ids: a 3-character key prefix, then base-62-ish; 18 characters. */
export function newId(state: SalesforceState, prefix: string): string {
  const n = state.nextId++;
  return `${prefix}${n.toString(36).toUpperCase().padStart(12, '0')}AAA`;
}

export function newToken(): string {
  return `00D!${randomBytes(24).toString('base64url')}`;
}

/** SystemModstamp of a write now: milliseconds dropped, as Salesforce stores seconds. */
export function stamp(state: SalesforceState): string {
  const now = Math.max(Math.floor(Date.now() / 1000) * 1000, state.lastStamp);
  state.lastStamp = now;
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

export function refusedBy(state: SalesforceState, row: Row): ValidationRule | undefined {
  return state.rules.find((r) => String(row[r.field] ?? '') === r.equals);
}

/** Applies field values to an Account (creating it when new); returns whether it was created. */
export function writeAccount(
  state: SalesforceState,
  id: string | undefined,
  values: Row,
): { id: string; created: boolean } {
  const existing = id ? state.accounts.get(id) : undefined;
  if (id && !existing)
    throw Object.assign(new Error(`entity is deleted or does not exist: ${id}`), {
      errorCode: 'ENTITY_IS_DELETED',
    });
  const accountId = existing?.Id ?? newId(state, '001');
  const clean = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'Id' && k !== 'attributes'));
  const account: Account = {
    Name: '',
    BillingCountryCode: null,
    IsDeleted: false,
    ...existing,
    ...clean,
    Id: accountId,
    SystemModstamp: stamp(state),
  } as Account;
  state.accounts.set(accountId, account);
  state.writes.set(accountId, (state.writes.get(accountId) ?? 0) + 1);
  return { id: accountId, created: !existing };
}
