// ServiceNow encoded queries (`sysparm_query`): `^` AND, `^OR` OR (binds to the condition before it),
// `^NQ` a new OR-group, `ORDERBYfield` / `ORDERBYDESCfield` anywhere (applied globally, in order).
// Conditions on fields the table does not have are ignored, as ServiceNow does (strict mode rejects).
// `javascript:gs.dateGenerate('date','time')` is read in the API user's time zone and turned into UTC.
import { wallClock } from '../kit/zoned-time';

export type FieldType = 'string' | 'integer' | 'datetime' | 'reference';
export type Row = Record<string, string>;

const OPERATORS = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'NOT LIKE',
  'LIKE',
  'STARTSWITH',
  'ENDSWITH',
  'NOT IN',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
] as const;
type Operator = (typeof OPERATORS)[number];

export interface Condition {
  field: string;
  op: Operator;
  value: string;
}
/** AND of clauses; each clause is an OR of conditions. */
export type Group = Condition[][];

export interface ParsedQuery {
  /** OR of groups (`^NQ`). Empty = every row. */
  groups: Group[];
  order: { field: string; desc: boolean }[];
}

export class QueryError extends Error {}

const CONDITION = new RegExp(
  `^([a-z0-9_.]+)(${OPERATORS.map((o) => o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(.*)$`,
  's',
);
const DATE_GENERATE =
  /^javascript:gs\.dateGenerate\(\s*'(\d{4}-\d{2}-\d{2})'\s*,\s*'(\d{2}:\d{2}:\d{2})'\s*\)$/;

export interface ParseOptions {
  fields: Record<string, FieldType>;
  /** Reject unknown fields instead of ignoring the condition (glide.invalid_query.returns_no_rows). */
  strict?: boolean;
  /** IANA time zone of the API user, for gs.dateGenerate. */
  timeZone?: string;
}

export function parseQuery(query: string, options: ParseOptions): ParsedQuery {
  const order: ParsedQuery['order'] = [];
  const groups: Group[] = [];
  if (!query.trim()) return { groups, order };
  for (const groupText of query.split('^NQ')) {
    const group: Group = [];
    for (const term of groupText.split('^')) {
      if (!term) continue;
      if (term.startsWith('ORDERBYDESC')) {
        order.push({ field: term.slice('ORDERBYDESC'.length), desc: true });
        continue;
      }
      if (term.startsWith('ORDERBY')) {
        order.push({ field: term.slice('ORDERBY'.length), desc: false });
        continue;
      }
      const isOr = term.startsWith('OR') && group.length > 0;
      const condition = parseCondition(isOr ? term.slice(2) : term, options);
      if (condition === undefined) continue;
      if (isOr) group[group.length - 1]!.push(condition);
      else group.push([condition]);
    }
    groups.push(group);
  }
  return { groups, order };
}

function parseCondition(term: string, options: ParseOptions): Condition | undefined {
  const match = CONDITION.exec(term);
  if (!match) throw new QueryError(`Invalid query term: ${term}`);
  const [, field = '', op = '=', rawValue = ''] = match;
  if (!(field in options.fields)) {
    if (options.strict) throw new QueryError(`Invalid field ${field}`);
    return undefined;
  }
  const generated = DATE_GENERATE.exec(rawValue);
  const value = generated ? localToUtc(generated[1]!, generated[2]!, options.timeZone ?? 'UTC') : rawValue;
  return { field, op: op as Operator, value };
}

export function matches(row: Row, query: ParsedQuery, fields: Record<string, FieldType>): boolean {
  if (query.groups.length === 0) return true;
  return query.groups.some((group) =>
    group.every((clause) => clause.some((c) => test(row[c.field] ?? '', c, fields[c.field]))),
  );
}

function test(actual: string, c: Condition, type: FieldType | undefined): boolean {
  switch (c.op) {
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
    case 'LIKE':
      return actual.toLowerCase().includes(c.value.toLowerCase());
    case 'NOT LIKE':
      return !actual.toLowerCase().includes(c.value.toLowerCase());
    case 'STARTSWITH':
      return actual.toLowerCase().startsWith(c.value.toLowerCase());
    case 'ENDSWITH':
      return actual.toLowerCase().endsWith(c.value.toLowerCase());
    case 'IN':
      return c.value.split(',').includes(actual);
    case 'NOT IN':
      return !c.value.split(',').includes(actual);
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== c.value;
  }
  const order = compareValues(actual, c.value, type);
  switch (c.op) {
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

export function compareValues(a: string, b: string, type: FieldType | undefined): number {
  if (type === 'integer') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortRows(rows: Row[], query: ParsedQuery, fields: Record<string, FieldType>): Row[] {
  if (query.order.length === 0) return rows;
  return rows.sort((x, y) => {
    for (const { field, desc } of query.order) {
      const order = compareValues(x[field] ?? '', y[field] ?? '', fields[field]);
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, ServiceNow's raw datetime format. */
export function glideDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** A wall-clock time in `timeZone` as a UTC glide datetime. */
export function localToUtc(date: string, time: string, timeZone: string): string {
  const asUtc = new Date(`${date}T${time}Z`);
  // The zone's offset at that instant; a second pass settles DST edges.
  let guess = asUtc.getTime() - offsetMs(asUtc, timeZone);
  guess = asUtc.getTime() - offsetMs(new Date(guess), timeZone);
  return glideDateTime(new Date(guess));
}

function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}
