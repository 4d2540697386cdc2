// The SOQL subset the simulator answers: SELECT fields | COUNT() FROM obj [WHERE cond] [ORDER BY
// f [ASC|DESC], ...] [LIMIT n]; conditions are comparisons (= != < <= > >= IN) joined by AND/OR with
// parentheses. Datetime literals are unquoted ISO 8601 (as Salesforce wants), strings single-quoted.
export type Row = Record<string, unknown>;

export interface Soql {
  fields: string[];
  count: boolean;
  object: string;
  where?: (row: Row) => boolean;
  orderBy: { field: string; desc: boolean }[];
  limit?: number;
}

export class SoqlError extends Error {}

const TOKEN = /\s*('(?:[^'\\]|\\.)*'|\(|\)|,|!=|<=|>=|=|<|>|[A-Za-z0-9_.:+\-]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) tokens.push(m[1] ?? '');
  if (text.slice(TOKEN.lastIndex).trim())
    throw new SoqlError(`unexpected token near: ${text.slice(TOKEN.lastIndex, TOKEN.lastIndex + 20)}`);
  return tokens;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

function literal(token: string): unknown {
  if (token.startsWith("'")) return token.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^(true|false)$/i.test(token)) return token.toLowerCase() === 'true';
  if (/^null$/i.test(token)) return null;
  if (DATETIME.test(token)) return Date.parse(token);
  const n = Number(token);
  if (Number.isFinite(n)) return n;
  throw new SoqlError(`bad literal ${token}`);
}

function comparable(value: unknown, like: unknown): unknown {
  // Datetime fields are stored as ISO strings and compared as instants.
  if (typeof like === 'number' && typeof value === 'string') return Date.parse(value);
  return value ?? null;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

export function parseSoql(text: string): Soql {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i]?.toUpperCase();
  const take = (word?: string) => {
    const tok = t[i++];
    if (tok === undefined || (word && tok.toUpperCase() !== word))
      throw new SoqlError(`expected ${word ?? 'a token'} at ${tok ?? 'end'}`);
    return tok;
  };
  take('SELECT');
  const fields: string[] = [];
  let count = false;
  if (peek() === 'COUNT') {
    take();
    take('(');
    take(')');
    count = true;
  } else {
    do fields.push(take());
    while (peek() === ',' && take());
  }
  take('FROM');
  const object = take();

  function condition(): (row: Row) => boolean {
    if (peek() === '(') {
      take('(');
      const inner = or();
      take(')');
      return inner;
    }
    const field = take();
    const op = take().toUpperCase();
    if (op === 'IN') {
      take('(');
      const values: unknown[] = [];
      do values.push(literal(take()));
      while (peek() === ',' && take());
      take(')');
      return (row) => values.some((v) => compare(comparable(row[field], v), v) === 0);
    }
    const value = literal(take());
    const test: Record<string, (c: number) => boolean> = {
      '=': (c) => c === 0,
      '!=': (c) => c !== 0,
      '<': (c) => c < 0,
      '<=': (c) => c <= 0,
      '>': (c) => c > 0,
      '>=': (c) => c >= 0,
    };
    const check = test[op];
    if (!check) throw new SoqlError(`unknown operator ${op}`);
    return (row) => check(compare(comparable(row[field], value), value));
  }
  function and(): (row: Row) => boolean {
    const parts = [condition()];
    while (peek() === 'AND' && take()) parts.push(condition());
    return (row) => parts.every((p) => p(row));
  }
  function or(): (row: Row) => boolean {
    const parts = [and()];
    while (peek() === 'OR' && take()) parts.push(and());
    return (row) => parts.some((p) => p(row));
  }

  let where: Soql['where'];
  if (peek() === 'WHERE') {
    take();
    where = or();
  }
  const orderBy: Soql['orderBy'] = [];
  if (peek() === 'ORDER') {
    take();
    take('BY');
    do {
      const field = take();
      let desc = false;
      if (peek() === 'ASC' || peek() === 'DESC') desc = take().toUpperCase() === 'DESC';
      orderBy.push({ field, desc });
    } while (peek() === ',' && take());
  }
  let limit: number | undefined;
  if (peek() === 'LIMIT') {
    take();
    limit = Number(take());
    if (!Number.isInteger(limit) || limit < 0) throw new SoqlError('LIMIT must be a whole number');
  }
  if (i < t.length) throw new SoqlError(`unexpected ${t[i]}`);
  return { fields, count, object, where, orderBy, limit };
}

/** Rows matching the query, ordered and limited (not yet projected). */
export function runSoql(query: Soql, rows: Iterable<Row>): Row[] {
  let out = [...rows].filter((r) => !query.where || query.where(r));
  if (query.orderBy.length)
    out.sort((a, b) => {
      for (const { field, desc } of query.orderBy) {
        const c = compare(a[field], b[field]);
        if (c) return desc ? -c : c;
      }
      return 0;
    });
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  return out;
}

export function project(query: Soql, row: Row): Row {
  const out: Row = {
    attributes: {
      type: query.object,
      url: `/services/data/v60.0/sobjects/${query.object}/${String(row.Id)}`,
    },
  };
  for (const f of query.fields) out[f] = row[f] ?? null;
  return out;
}
