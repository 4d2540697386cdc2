// `/api/resource/{DocType}` CRUD (also under /api/v1) and the batch RPCs `frappe.client.insert_many`
// (at most 200 documents, one transaction) and `frappe.client.bulk_update` (per document, failures
// returned in `failed_docs`), as Frappe's `frappe/api/v1.py` and `frappe/client.py` serve them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../../kit/http-simulator';
import { wallClock } from '../../kit/zoned-time';
import { authenticate, type ApiCredentials } from '../auth';
import { frappeErrorBody } from '../errors';
import { doctypeTable, type ErpnextState, type FrappeDoc } from '../state';
import { METHODS } from './method';
import { FrappeRequestError, listDocs, type ListQuery } from './resourceQuery';

/** Mandatory fields per DocType (the rest are free); Frappe answers MandatoryError (417). */
const MANDATORY: Record<string, string[]> = {
  Employee: ['first_name', 'date_of_joining', 'status'],
  // HRMS's Training Event (attendees in its `employees` child table, Training Event Employee).
  'Training Event': ['event_name', 'type', 'start_time', 'end_time'],
};
const NAMING_SERIES: Record<string, string> = { Employee: 'HR-EMP-' };
const STATUS_OPTIONS: Record<string, Record<string, string[]>> = {
  Employee: { status: ['Active', 'Inactive', 'Suspended', 'Left'] },
  'Training Event': { event_status: ['Scheduled', 'Completed', 'Cancelled'] },
};
const MAX_INSERT_MANY = 200;
const MAX_BULK_UPDATE = 500;
const RESERVED = new Set(['name', 'doctype', 'creation', 'modified', 'owner', 'modified_by', 'docstatus']);

/** `YYYY-MM-DD HH:MM:SS.ffffff` in the site's time zone, without offset, as Frappe stores it. */
function frappeNow(timeZone: string): string {
  const now = new Date();
  const w = wallClock(now, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const millis = String(now.getMilliseconds()).padStart(3, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}:${two(w.second)}.${millis}000`;
}

function validate(state: ErpnextState, doctype: string, doc: FrappeDoc): void {
  const rule = state.rules.find((r) => r.doctype === doctype && String(doc[r.field] ?? '') === r.equals);
  if (rule) throw new FrappeRequestError(417, rule.message);
  const missing = (MANDATORY[doctype] ?? []).filter(
    (f) => doc[f] === undefined || doc[f] === null || doc[f] === '',
  );
  if (missing.length > 0)
    throw new FrappeRequestError(417, `[${doctype}, ${doc.name}]: ${missing.join(', ')}`);
  for (const [field, options] of Object.entries(STATUS_OPTIONS[doctype] ?? {})) {
    if (doc[field] !== undefined && !options.includes(String(doc[field])))
      throw new FrappeRequestError(
        417,
        `${field} cannot be "${String(doc[field])}". It should be one of ${options.join(', ')}`,
      );
  }
}

/** The next free name of the series; `staged` holds names taken by a not-yet-stored batch (insert_many). */
function nextName(state: ErpnextState, doctype: string, staged?: ReadonlySet<string>): string {
  const table = doctypeTable(state, doctype);
  const prefix = NAMING_SERIES[doctype] ?? `${doctype.toUpperCase().replace(/\s+/g, '-')}-`;
  const taken = (n: number) => {
    const name = `${prefix}${String(n).padStart(5, '0')}`;
    return table.has(name) || (staged?.has(name) ?? false);
  };
  let n = table.size + 1 + (staged?.size ?? 0);
  while (taken(n)) n++;
  return `${prefix}${String(n).padStart(5, '0')}`;
}

function userFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !RESERVED.has(k) && !k.startsWith('__')));
}

/** Builds a new document without storing it (insert_many stores all or none). */
function buildDoc(
  state: ErpnextState,
  doctype: string,
  body: Record<string, unknown>,
  user: string,
  staged?: ReadonlySet<string>,
): FrappeDoc {
  const table = doctypeTable(state, doctype);
  const name = typeof body.name === 'string' && body.name ? body.name : nextName(state, doctype, staged);
  if (table.has(name)) throw new FrappeRequestError(409, `${doctype} ${name} already exists`);
  const now = frappeNow(state.timeZone);
  const doc: FrappeDoc = {
    ...userFields(body),
    name,
    doctype,
    owner: user,
    modified_by: user,
    creation: now,
    modified: now,
    docstatus: 0,
  };
  validate(state, doctype, doc);
  return doc;
}

function updateDoc(
  state: ErpnextState,
  doctype: string,
  name: string,
  body: Record<string, unknown>,
  user: string,
): FrappeDoc {
  const table = doctypeTable(state, doctype);
  const existing = table.get(name);
  if (!existing) throw new FrappeRequestError(404, `${doctype} ${name} not found`);
  const doc: FrappeDoc = {
    ...existing,
    ...userFields(body),
    name,
    modified: frappeNow(state.timeZone),
    modified_by: user,
  };
  validate(state, doctype, doc);
  table.set(name, doc);
  return doc;
}

function docsArg(value: unknown, max: number, what: string): Record<string, unknown>[] {
  const docs = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(docs)) throw new FrappeRequestError(417, 'docs must be a list');
  if (docs.length > max) throw new FrappeRequestError(417, `Only ${max} ${what} allowed in one request`);
  return docs as Record<string, unknown>[];
}

// frappe.client.insert_many(docs): every doc carries its `doctype`; returns the new names.
METHODS['frappe.client.insert_many'] = {
  handler: ({ args, state, user }) => {
    const docs = docsArg(args.docs, MAX_INSERT_MANY, 'inserts');
    const built: FrappeDoc[] = [];
    // One transaction: a failing document rolls back the whole request.
    const staged = new Map<string, Set<string>>();
    for (const body of docs) {
      const doctype = String(body.doctype ?? '');
      if (!doctype) throw new FrappeRequestError(417, 'doctype is required');
      const names = staged.get(doctype) ?? new Set();
      const doc = buildDoc(state, doctype, body, user, names);
      // Names from the series are only reserved once stored: stage them to keep them unique.
      while (names.has(doc.name)) doc.name = bumpName(doc.name);
      names.add(doc.name);
      staged.set(doctype, names);
      built.push(doc);
    }
    for (const doc of built) doctypeTable(state, String(doc.doctype)).set(doc.name, doc);
    return built.map((d) => d.name);
  },
};

function bumpName(name: string): string {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m ? `${m[1]}${String(Number(m[2]) + 1).padStart(m[2]!.length, '0')}` : `${name}-1`;
}

// frappe.client.bulk_update(docs): each doc has `doctype` and `docname`; failures do not stop the rest.
METHODS['frappe.client.bulk_update'] = {
  handler: ({ args, state, user }) => {
    const docs = docsArg(args.docs, MAX_BULK_UPDATE, 'updates');
    const failed_docs: { doc: Record<string, unknown>; exc: string }[] = [];
    for (const body of docs) {
      try {
        const { docname, ...fields } = body;
        updateDoc(state, String(body.doctype ?? ''), String(docname ?? ''), fields, user);
      } catch (err) {
        failed_docs.push({
          doc: body,
          exc: `Traceback (most recent call last):\n  (simulated)\n${(err as Error).message}`,
        });
      }
    }
    return { failed_docs };
  },
};

export function registerResourceRoutes(
  app: FastifyInstance,
  ctx: SimulatorContext<ErpnextState>,
  credentials: ApiCredentials,
): void {
  function guard<P>(
    handler: (request: FastifyRequest<{ Params: P }>, user: string) => unknown,
  ): (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => Promise<unknown> {
    return async (request, reply) => {
      const auth = authenticate(request, credentials);
      if (auth === 'invalid')
        return reply.code(401).send(frappeErrorBody('AuthenticationError', 'Invalid API key or secret'));
      if (auth === 'guest') return reply.code(403).send(frappeErrorBody('PermissionError', 'Not permitted'));
      try {
        return await handler(request, auth.user);
      } catch (err) {
        if (!(err instanceof FrappeRequestError)) throw err;
        const excType =
          err.statusCode === 404
            ? 'DoesNotExistError'
            : err.statusCode === 409
              ? 'DuplicateEntryError'
              : err.message.startsWith('[')
                ? 'MandatoryError'
                : 'ValidationError';
        return reply.code(err.statusCode).send(frappeErrorBody(excType, err.message));
      }
    };
  }
  type Doctype = { doctype: string };
  type Named = { doctype: string; name: string };
  const body = (request: FastifyRequest): Record<string, unknown> => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    // Frappe also takes the document as a form field `data` holding JSON.
    return typeof b.data === 'string' ? (JSON.parse(b.data) as Record<string, unknown>) : b;
  };

  for (const prefix of ['/api/resource', '/api/v1/resource']) {
    app.get(
      `${prefix}/:doctype`,
      guard<Doctype>((request) => ({
        data: listDocs(doctypeTable(ctx.state, request.params.doctype), request.query as ListQuery),
      })),
    );
    app.post(
      `${prefix}/:doctype`,
      guard<Doctype>((request, user) => {
        const doc = buildDoc(ctx.state, request.params.doctype, body(request), user);
        doctypeTable(ctx.state, request.params.doctype).set(doc.name, doc);
        return { data: doc };
      }),
    );
    app.get(
      `${prefix}/:doctype/*`,
      guard<Named & { '*': string }>((request) => {
        const name = request.params['*'];
        const doc = doctypeTable(ctx.state, request.params.doctype).get(name);
        if (!doc) throw new FrappeRequestError(404, `${request.params.doctype} ${name} not found`);
        return { data: doc };
      }),
    );
    app.put(
      `${prefix}/:doctype/*`,
      guard<Named & { '*': string }>((request, user) => ({
        data: updateDoc(ctx.state, request.params.doctype, request.params['*'], body(request), user),
      })),
    );
    app.delete(
      `${prefix}/:doctype/*`,
      guard<Named & { '*': string }>((request) => {
        const name = request.params['*'];
        if (!doctypeTable(ctx.state, request.params.doctype).delete(name))
          throw new FrappeRequestError(404, `${request.params.doctype} ${name} not found`);
        return { message: 'ok' };
      }),
    );
  }
}
