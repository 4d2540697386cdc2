// Keyset cursor over (sys_updated_on, sys_id). ServiceNow timestamps have one-second resolution, so
// a bare `sys_updated_on>=T` repeats rows and `>T` loses them at page edges. The next page is
// "strictly after the last row in (sys_updated_on, sys_id) order", written as two OR-groups:
//   sys_updated_on>T  ^NQ  sys_updated_on=T ^ sys_id>S
// with both fields in ORDERBY. An upper bound (`sys_updated_on<horizon`, a few seconds in the past)
// keeps a run from reading a second that is still being written: a row committed later in that
// second with a smaller sys_id would otherwise fall behind the cursor and be lost for good.
// Pure and deterministic: safe in workflows.

export interface KeysetCursor {
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  updatedOn: string;
  sysId: string;
}

const GLIDE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const SYS_ID = /^[0-9a-f]{32}$/;

export function isGlideDateTime(value: string): boolean {
  return GLIDE_DATETIME.test(value);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, truncated to the second. */
export function glideDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

export function validateCursor(cursor: KeysetCursor): void {
  if (!isGlideDateTime(cursor.updatedOn)) throw new Error(`cursor.updatedOn must be YYYY-MM-DD HH:MM:SS UTC`);
  if (!SYS_ID.test(cursor.sysId)) throw new Error(`cursor.sysId must be 32 lowercase hex digits`);
}

/** Orders two positions: negative when a comes first. */
export function compareCursor(a: KeysetCursor, b: KeysetCursor): number {
  if (a.updatedOn !== b.updatedOn) return a.updatedOn < b.updatedOn ? -1 : 1;
  return a.sysId < b.sysId ? -1 : a.sysId > b.sysId ? 1 : 0;
}

/**
 * Whether a row's version written at `at` lies after `cursor` in keyset order, i.e. the runs that
 * reached the cursor never read it. A version's position is (the second it was written, sys_id): a
 * row created at the cursor's own second but with a larger sys_id is after it. No cursor: everything.
 */
export function writtenAfter(at: string, sysId: string, cursor: KeysetCursor | undefined): boolean {
  return cursor === undefined || compareCursor({ updatedOn: at, sysId }, cursor) > 0;
}

/**
 * The encoded query for the page after `after` (all rows when absent), below `horizon` (exclusive).
 * `filter` (an encoded query without ORDERBY or ^NQ) is repeated in each OR-group.
 */
export function keysetQuery(after: KeysetCursor | undefined, horizon: string, filter = ''): string {
  if (!isGlideDateTime(horizon)) throw new Error('horizon must be YYYY-MM-DD HH:MM:SS UTC');
  if (/\^NQ|ORDERBY/.test(filter)) throw new Error('filter must not contain ^NQ or ORDERBY');
  const extra = filter ? `^${filter}` : '';
  const order = '^ORDERBYsys_updated_on^ORDERBYsys_id';
  if (!after) return `sys_updated_on<${horizon}${extra}${order}`;
  validateCursor(after);
  const later = `sys_updated_on>${after.updatedOn}^sys_updated_on<${horizon}${extra}`;
  const sameSecond = `sys_updated_on=${after.updatedOn}^sys_id>${after.sysId}${extra}`;
  return `${later}^NQ${sameSecond}${order}`;
}
