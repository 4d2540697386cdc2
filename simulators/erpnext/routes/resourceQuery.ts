// Frappe list semantics for `/api/resource/{DocType}`: filters / or_filters (list of
// [field, op, value] or [doctype, field, op, value], or a dict), fields, order_by and paging.
import { DocTable, type FrappeDoc } from '../state';

export class FrappeRequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

type Condition = [field: string, op: string, value: unknown];

function parseJsonParam(value: unknown, name: string): unknown {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new FrappeRequestError(417, `${name} is not valid JSON`);
  }
}

export function parseFilters(value: unknown, name = 'filters'): Condition[] {
  const parsed = parseJsonParam(value, name);
  if (parsed === undefined) return [];
  if (Array.isArray(parsed)) {
    return parsed.map((c) => {
      if (!Array.isArray(c) || c.length < 3 || c.length > 4)
        throw new FrappeRequestError(417, `invalid filter ${JSON.stringify(c)}`);
      const [field, op, v] = c.length === 4 ? c.slice(1) : c;
      return [String(field), String(op).toLowerCase(), v];
    });
  }
  if (typeof parsed === 'object' && parsed !== null) {
    return Object.entries(parsed).map(([field, v]) =>
      Array.isArray(v) ? [field, String(v[0]).toLowerCase(), v[1]] : [field, '=', v],
    );
  }
  throw new FrappeRequestError(417, `${name} must be a list or a dict`);
}

function likeToRegex(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim());
  return [v];
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matches(doc: FrappeDoc, condition: Condition): boolean {
  return compileCondition(condition)(doc);
}

/** A condition as a predicate, prepared once per query: `in` lists become sets, not a scan per document. */
function compileCondition([field, op, value]: Condition): (doc: FrappeDoc) => boolean {
  if (op === 'in' || op === 'not in') {
    const set = new Set(asList(value).map(String));
    const want = op === 'in';
    return (doc) => set.has(String(doc[field] ?? '')) === want;
  }
  if (op === 'like' || op === 'not like') {
    const regex = likeToRegex(String(value));
    const want = op === 'like';
    return (doc) => regex.test(String(doc[field] ?? '')) === want;
  }
  if (!OPERATORS.has(op)) throw operatorError();
  return (doc) => evaluate(doc[field], op, value);
}

const OPERATORS = new Set(['=', '!=', '>', '>=', '<', '<=', 'between', 'is']);

function operatorError(): FrappeRequestError {
  return new FrappeRequestError(
    417,
    `Operator must be one of =, !=, >, >=, <, <=, like, in, not in, between, is`,
  );
}

function evaluate(actual: unknown, op: string, value: unknown): boolean {
  switch (op) {
    case '=':
      return String(actual ?? '') === String(value ?? '');
    case '!=':
      return String(actual ?? '') !== String(value ?? '');
    case '>':
      return compare(actual, value) > 0;
    case '>=':
      return compare(actual, value) >= 0;
    case '<':
      return compare(actual, value) < 0;
    case '<=':
      return compare(actual, value) <= 0;
    case 'between': {
      const [lo, hi] = asList(value);
      return compare(actual, lo) >= 0 && compare(actual, hi) <= 0;
    }
    case 'is':
      return value === 'set' ? actual != null && actual !== '' : actual == null || actual === '';
    default:
      throw operatorError();
  }
}

export interface ListQuery {
  fields?: unknown;
  filters?: unknown;
  or_filters?: unknown;
  order_by?: unknown;
  limit_start?: unknown;
  limit_page_length?: unknown;
  limit?: unknown;
}

function nonNegativeInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new FrappeRequestError(417, `${name} must be a non-negative integer`);
  return n;
}

/** The documents an `=` or `in` filter allows, from the table's index; else every document. */
function candidates(docs: Iterable<FrappeDoc> | DocTable, filters: Condition[]): Iterable<FrappeDoc> {
  if (!(docs instanceof DocTable)) return docs;
  const keyed = filters.find(([, op]) => op === '=' || op === 'in');
  if (!keyed) return docs.values();
  const [field, op, value] = keyed;
  return docs.lookup(field, op === '=' ? [String(value ?? '')] : asList(value).map(String));
}

/** Lists documents; pass the DocTable itself (not its values) so `=` / `in` filters use its index. */
export function listDocs(docs: Iterable<FrappeDoc> | DocTable, query: ListQuery): Record<string, unknown>[] {
  const filters = parseFilters(query.filters);
  const orFilters = parseFilters(query.or_filters, 'or_filters');
  const test = filters.map(compileCondition);
  const orTest = orFilters.map(compileCondition);
  const fieldsParam = parseJsonParam(query.fields, 'fields');
  const fields = fieldsParam === undefined ? ['name'] : (fieldsParam as unknown[]).map(String);
  if (!Array.isArray(fieldsParam ?? [])) throw new FrappeRequestError(417, 'fields must be a list');
  const start = nonNegativeInt(query.limit_start, 'limit_start', 0);
  const length = nonNegativeInt(query.limit_page_length ?? query.limit, 'limit_page_length', 20);

  let rows = [...candidates(docs, filters)].filter(
    (d) => test.every((t) => t(d)) && (orTest.length === 0 || orTest.some((t) => t(d))),
  );
  const [orderField = 'modified', direction = 'desc'] = String(query.order_by ?? 'modified desc')
    .trim()
    .replace(/`/g, '')
    .split(/\s+/);
  const sign = direction.toLowerCase() === 'asc' ? 1 : -1;
  rows = rows.sort((a, b) => sign * compare(a[orderField], b[orderField]) || compare(a.name, b.name));
  rows = length === 0 ? rows.slice(start) : rows.slice(start, start + length);
  if (fields.includes('*')) return rows.map((d) => ({ ...d }));
  return rows.map((d) => Object.fromEntries(fields.map((f) => [f, d[f] ?? null])));
}
