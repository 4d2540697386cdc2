// Recorded state of the ERPNext simulator. Documents are kept per DocType so `/api/resource/{DocType}`
// routes can be added without reshaping anything: docs.get('Employee')?.get('HR-EMP-00001').
// Each table keeps an index per field that list filters (`=`, `in`) have asked about, so a lookup of
// 500 employee numbers among a million employees does not scan them all (as a database index would).
import type { RateLimit } from './rateLimiter';

export type FrappeDoc = Record<string, unknown> & { name: string; modified?: string; creation?: string };

/** A DocType's documents by name, with lazily built field indexes kept current on set/delete/clear. */
export class DocTable extends Map<string, FrappeDoc> {
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  override set(name: string, doc: FrappeDoc): this {
    const previous = this.indexes.size > 0 ? super.get(name) : undefined;
    super.set(name, doc);
    for (const [field, index] of this.indexes) {
      if (previous) unindex(index, indexKey(previous[field]), name);
      addIndexed(index, indexKey(doc[field]), name);
    }
    return this;
  }

  override delete(name: string): boolean {
    const previous = super.get(name);
    if (previous) for (const [field, index] of this.indexes) unindex(index, indexKey(previous[field]), name);
    return super.delete(name);
  }

  override clear(): void {
    this.indexes.clear();
    super.clear();
  }

  /** Documents whose `field`, compared as a string (as Frappe's `=` and `in` filters do), is one of `values`. */
  lookup(field: string, values: Iterable<string>): FrappeDoc[] {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const [name, doc] of this) addIndexed(index, indexKey(doc[field]), name);
      this.indexes.set(field, index);
    }
    const names = new Set<string>();
    for (const value of values) for (const name of index.get(value) ?? []) names.add(name);
    return [...names].map((name) => super.get(name)!);
  }
}

function indexKey(value: unknown): string {
  return String(value ?? '');
}

function addIndexed(index: Map<string, Set<string>>, key: string, name: string): void {
  const names = index.get(key);
  if (names) names.add(name);
  else index.set(key, new Set([name]));
}

function unindex(index: Map<string, Set<string>>, key: string, name: string): void {
  const names = index.get(key);
  if (!names) return;
  names.delete(name);
  if (names.size === 0) index.delete(key);
}

/** A site's own validation (as a Server Script would add): matching documents are refused. */
export interface ValidationRule {
  doctype: string;
  field: string;
  equals: string;
  message: string;
}

export interface ErpnextState {
  docs: Map<string, DocTable>;
  rules: ValidationRule[];
  /** The site's time zone (IANA): `creation` and `modified` are local to it, without offset. */
  timeZone: string;
  /** Set through POST /__admin/rate-limit; none by default. */
  rateLimit?: RateLimit;
}

export function createErpnextState(timeZone = 'UTC'): ErpnextState {
  return { docs: new Map(), rules: [], timeZone };
}

/** The documents of one DocType, created on first use. */
export function doctypeTable(state: ErpnextState, doctype: string): DocTable {
  let table = state.docs.get(doctype);
  if (!table) {
    table = new DocTable();
    state.docs.set(doctype, table);
  }
  return table;
}
