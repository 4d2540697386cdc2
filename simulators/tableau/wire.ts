// Tableau's wire formats: XML by default, JSON when the client sends `Accept: application/json`.
// Bodies are built once in the JSON shape (numbers as strings, as Tableau's JSON has them) and
// rendered to XML on request: scalars become attributes, objects and arrays child elements, and a
// few text-bearing fields (error summary/detail, job notes) element text.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const TEXT_ELEMENTS = new Set(['summary', 'detail', 'notes']);
const API_NAMESPACE = 'http://tableau.com/api';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
});
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
});

export function wantsJson(request: FastifyRequest): boolean {
  return /application\/json/i.test(request.headers.accept ?? '');
}

function toXmlTree(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) out[key] = v.map((item) => toXmlTree(item as Record<string, unknown>));
    else if (typeof v === 'object') out[key] = toXmlTree(v as Record<string, unknown>);
    else if (TEXT_ELEMENTS.has(key)) out[key] = String(v);
    else out[`@_${key}`] = String(v);
  }
  return out;
}

export function toXml(body: Record<string, unknown>): string {
  const tree = { tsResponse: { '@_xmlns': API_NAMESPACE, ...toXmlTree(body) } };
  return `<?xml version='1.0' encoding='UTF-8'?>${builder.build(tree) as string}`;
}

export function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: Record<string, unknown>,
): FastifyReply {
  reply.code(status);
  if (wantsJson(request)) return reply.type('application/json').send(body);
  return reply.type('application/xml; charset=utf-8').send(toXml(body));
}

export const SUMMARIES: Record<string, string> = {
  '400000': 'Bad Request',
  '401001': 'Signin Error',
  '401002': 'Unauthorized Access',
  '403000': 'Forbidden',
  '404000': 'Site not found',
  '404004': 'Resource Not Found',
  '405000': 'Method Not Allowed',
  '409090': 'Conflict',
  '409093': 'Resource Conflict',
  '429000': 'Too Many Requests',
  '500000': 'Internal Server Error',
};

export function errorBody(code: string, detail: string): Record<string, unknown> {
  return { error: { code, summary: SUMMARIES[code] ?? 'Error', detail } };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
): FastifyReply {
  return send(request, reply, status, errorBody(code, detail));
}

/** Body for injected faults and framework errors (no request at hand: the JSON envelope). */
export function tableauFaultBody(status: number, message: string): unknown {
  const code = status === 429 ? '429000' : `${status}000`;
  return errorBody(code, message);
}

/** A tsRequest body, JSON or XML, as one object (the `tsRequest` wrapper removed). */
export function requestBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return {};
  const inner = body.tsRequest;
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : body;
}

export function parseXml(text: string): unknown {
  return parser.parse(text) as unknown;
}
