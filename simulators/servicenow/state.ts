// Recorded state of the ServiceNow simulator: tables of string-valued rows, a controllable clock
// (so tests can make many rows share one sys_updated_on), audit rows for watched fields, the
// Import Set transform with coalesce, OAuth tokens and per-user rate-limit counters.
import { randomBytes } from 'node:crypto';
import { glideDateTime, type FieldType, type Row } from './query';

export interface TableDef {
  fields: Record<string, FieldType>;
  /** Auto-numbering prefix (INC, CHG). */
  prefix?: string;
  /** Fields whose changes are written to sys_audit. */
  audited?: string[];
}

const TASK_FIELDS: Record<string, FieldType> = {
  sys_id: 'string',
  number: 'string',
  short_description: 'string',
  description: 'string',
  state: 'integer',
  impact: 'integer',
  urgency: 'integer',
  priority: 'integer',
  category: 'string',
  assigned_to: 'reference',
  assignment_group: 'reference',
  opened_by: 'reference',
  correlation_id: 'string',
  correlation_display: 'string',
  close_code: 'string',
  close_notes: 'string',
  sys_created_on: 'datetime',
  sys_created_by: 'string',
  sys_updated_on: 'datetime',
  sys_updated_by: 'string',
  sys_mod_count: 'integer',
};

export const TABLES: Record<string, TableDef> = {
  incident: {
    prefix: 'INC',
    fields: { ...TASK_FIELDS, caller_id: 'reference' },
    audited: ['state', 'priority'],
  },
  change_request: {
    prefix: 'CHG',
    fields: {
      ...TASK_FIELDS,
      approval: 'string',
      start_date: 'datetime',
      end_date: 'datetime',
      requested_by: 'reference',
      type: 'string',
      risk: 'integer',
    },
    audited: ['state', 'approval'],
  },
  sys_user: {
    fields: {
      sys_id: 'string',
      user_name: 'string',
      name: 'string',
      time_zone: 'string',
      sys_created_on: 'datetime',
      sys_updated_on: 'datetime',
      sys_mod_count: 'integer',
    },
  },
  sys_audit: {
    fields: {
      sys_id: 'string',
      tablename: 'string',
      documentkey: 'string',
      fieldname: 'string',
      oldvalue: 'string',
      newvalue: 'string',
      user: 'string',
      sys_created_on: 'datetime',
    },
  },
};

/** OOB priority lookup: impact × urgency → priority. */
const PRIORITY: Record<string, string> = {
  '1/1': '1',
  '1/2': '2',
  '2/1': '2',
  '1/3': '3',
  '2/2': '3',
  '3/1': '3',
  '2/3': '4',
  '3/2': '4',
  '3/3': '5',
};

export interface ImportSetDef {
  targetTable: string;
  transformMap: string;
  /** staging column → target field */
  map: Record<string, string>;
  coalesce: string[];
}

export const IMPORT_SETS: Record<string, ImportSetDef> = {
  u_imp_incident: {
    targetTable: 'incident',
    transformMap: 'Incident import',
    map: {
      u_correlation_id: 'correlation_id',
      u_source: 'correlation_display',
      u_short_description: 'short_description',
      u_description: 'description',
      u_impact: 'impact',
      u_urgency: 'urgency',
      u_state: 'state',
      u_category: 'category',
      u_assignment_group: 'assignment_group',
      u_close_code: 'close_code',
      u_close_notes: 'close_notes',
    },
    coalesce: ['correlation_id'],
  },
};

export interface RateLimitRule {
  /** Absent = all users. */
  user?: string;
  limitPerHour: number;
  /** The counting window; 3600 as on a real instance, shorter to compress time in benchmarks. */
  windowSeconds: number;
}

export interface RateCounter {
  windowStart: number;
  count: number;
}

export interface ServicenowState {
  tables: Map<string, Map<string, Row>>;
  counters: Map<string, number>;
  importSets: number;
  /** Frozen clock (ms) or an offset from the real one. */
  clock: { frozenMs?: number; offsetMs: number };
  rateRules: RateLimitRule[];
  rateCounters: Map<string, RateCounter>;
  rateStats: { limited: number; maxInWindow: number; windows: number };
  /** When each REST API request arrived (epoch ms): budget tests count them per second. */
  requestTimes: number[];
  accessTokens: Map<string, { user: string; expiresAt: number }>;
  refreshTokens: Map<string, string>;
}

export function createServicenowState(): ServicenowState {
  const tables = new Map(Object.keys(TABLES).map((name) => [name, new Map<string, Row>()]));
  for (const name of Object.keys(IMPORT_SETS)) tables.set(name, new Map());
  return {
    tables,
    counters: new Map(),
    importSets: 0,
    clock: { offsetMs: 0 },
    rateRules: [],
    rateCounters: new Map(),
    rateStats: { limited: 0, maxInWindow: 0, windows: 0 },
    requestTimes: [],
    accessTokens: new Map(),
    refreshTokens: new Map(),
  };
}

export function nowMs(state: ServicenowState): number {
  return state.clock.frozenMs ?? Date.now() + state.clock.offsetMs;
}

export function newSysId(): string {
  return randomBytes(16).toString('hex');
}

export function table(state: ServicenowState, name: string): Map<string, Row> | undefined {
  return state.tables.get(name);
}

function nextNumber(state: ServicenowState, prefix: string): string {
  const n = (state.counters.get(prefix) ?? 10000) + 1;
  state.counters.set(prefix, n);
  return `${prefix}${String(n).padStart(7, '0')}`;
}

function withDerived(tableName: string, row: Row): Row {
  if (tableName === 'incident' || tableName === 'change_request') {
    row.priority = PRIORITY[`${row.impact}/${row.urgency}`] ?? row.priority ?? '5';
  }
  return row;
}

/** Insert with system fields; `values` may set sys_updated_on / sys_created_on (admin seeding). */
export function insertRow(state: ServicenowState, tableName: string, values: Row, user: string): Row {
  const def = TABLES[tableName];
  const rows = table(state, tableName);
  if (!def || !rows) throw new Error(`Invalid table ${tableName}`);
  const now = glideDateTime(new Date(nowMs(state)));
  const row: Row = {};
  for (const field of Object.keys(def.fields)) row[field] = '';
  if (tableName === 'incident' || tableName === 'change_request') {
    Object.assign(row, { state: '1', impact: '3', urgency: '3' });
    if (tableName === 'change_request') Object.assign(row, { approval: 'not requested', type: 'normal' });
  }
  for (const [key, value] of Object.entries(values)) if (key in def.fields) row[key] = String(value);
  row.sys_id = values.sys_id || newSysId();
  if (def.prefix && !values.number) row.number = nextNumber(state, def.prefix);
  row.sys_created_on = values.sys_created_on || values.sys_updated_on || now;
  row.sys_updated_on = values.sys_updated_on || now;
  if ('sys_created_by' in def.fields) row.sys_created_by = user;
  if ('sys_updated_by' in def.fields) row.sys_updated_by = user;
  if ('sys_mod_count' in def.fields) row.sys_mod_count = values.sys_mod_count || '0';
  rows.set(row.sys_id, withDerived(tableName, row));
  return row;
}

/** Applies changed values; a no-op update changes nothing (no mod count, no timestamp). */
export function updateRow(
  state: ServicenowState,
  tableName: string,
  row: Row,
  values: Row,
  user: string,
): boolean {
  const def = TABLES[tableName]!;
  const before = { ...row };
  for (const [key, value] of Object.entries(values)) {
    if (key in def.fields && !key.startsWith('sys_') && key !== 'number') row[key] = String(value);
  }
  withDerived(tableName, row);
  const changed = Object.keys(def.fields).filter((f) => before[f] !== row[f]);
  if (changed.length === 0) return false;
  const now = glideDateTime(new Date(nowMs(state)));
  row.sys_updated_on = now;
  row.sys_updated_by = user;
  row.sys_mod_count = String(Number(row.sys_mod_count || '0') + 1);
  for (const field of def.audited ?? []) {
    if (!changed.includes(field)) continue;
    insertRow(
      state,
      'sys_audit',
      {
        tablename: tableName,
        documentkey: row.sys_id!,
        fieldname: field,
        oldvalue: before[field] ?? '',
        newvalue: row[field] ?? '',
        user,
        sys_created_on: now,
      },
      user,
    );
  }
  return true;
}

export interface TransformResult {
  transform_map: string;
  table: string;
  display_name: string;
  display_value: string;
  record_link: string;
  status: 'inserted' | 'updated' | 'ignored' | 'error';
  sys_id: string;
  error_message?: string;
}

/**
 * Synchronous transform of one staging row. Node runs it to completion without interleaving,
 * like one transaction on one node: concurrent rows with the same coalesce key cannot both insert.
 */
export function transformImportRow(
  state: ServicenowState,
  stagingTable: string,
  staging: Row,
  user: string,
  baseUrl: string,
): TransformResult {
  const def = IMPORT_SETS[stagingTable]!;
  const target: Row = {};
  for (const [column, field] of Object.entries(def.map)) {
    if (staging[column] !== undefined && staging[column] !== '') target[field] = staging[column]!;
  }
  const base = { transform_map: def.transformMap, table: def.targetTable, display_name: 'number' };
  const missing = def.coalesce.filter((f) => !target[f]);
  if (missing.length > 0) {
    return {
      ...base,
      display_value: '',
      record_link: '',
      status: 'error',
      sys_id: '',
      error_message: `Coalesce field(s) empty: ${missing.join(', ')}`,
    };
  }
  const rows = table(state, def.targetTable)!;
  let existing: Row | undefined;
  for (const row of rows.values()) {
    if (def.coalesce.every((f) => row[f] === target[f])) {
      existing = row;
      break;
    }
  }
  let status: TransformResult['status'];
  let row: Row;
  if (existing) {
    row = existing;
    status = updateRow(state, def.targetTable, existing, target, user) ? 'updated' : 'ignored';
  } else {
    row = insertRow(state, def.targetTable, target, user);
    status = 'inserted';
  }
  return {
    ...base,
    display_value: row.number ?? '',
    record_link: `${baseUrl}/api/now/table/${def.targetTable}/${row.sys_id}`,
    status,
    sys_id: row.sys_id!,
  };
}

/** Counts a request against the matching rule; returns the headers to send and whether it is over. */
export function countRequest(
  state: ServicenowState,
  user: string,
): { headers: Record<string, string>; retryAfter?: number } | undefined {
  const rule = state.rateRules.find((r) => r.user === user) ?? state.rateRules.find((r) => !r.user);
  if (!rule) return undefined;
  const windowMs = rule.windowSeconds * 1000;
  const limit = Math.max(1, Math.floor((rule.limitPerHour * rule.windowSeconds) / 3600));
  const now = Date.now();
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const key = `${rule.user ?? '*'}:${user}`;
  let counter = state.rateCounters.get(key);
  if (!counter || counter.windowStart !== windowStart) {
    counter = { windowStart, count: 0 };
    state.rateCounters.set(key, counter);
    state.rateStats.windows += 1;
  }
  const reset = Math.ceil((windowStart + windowMs) / 1000);
  const headers = {
    'x-ratelimit-limit': String(rule.limitPerHour),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-rule': 'd1b4e5f0c0a80165000b2c34a1d1e7a1',
  };
  if (counter.count >= limit) {
    state.rateStats.limited += 1;
    return { headers, retryAfter: Math.max(1, reset - Math.floor(now / 1000)) };
  }
  counter.count += 1;
  state.rateStats.maxInWindow = Math.max(state.rateStats.maxInWindow, counter.count);
  return { headers };
}
