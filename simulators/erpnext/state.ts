// Recorded state of the ERPNext simulator. Documents are kept per DocType so `/api/resource/{DocType}`
// routes can be added without reshaping anything: docs.get('Employee')?.get('HR-EMP-00001').

export type FrappeDoc = Record<string, unknown> & { name: string; modified?: string; creation?: string };

export interface ErpnextState {
  docs: Map<string, Map<string, FrappeDoc>>;
}

export function createErpnextState(): ErpnextState {
  return { docs: new Map() };
}

/** The documents of one DocType, created on first use. */
export function doctypeTable(state: ErpnextState, doctype: string): Map<string, FrappeDoc> {
  let table = state.docs.get(doctype);
  if (!table) {
    table = new Map();
    state.docs.set(doctype, table);
  }
  return table;
}
