// Dead-letter items: what a workflow could not process, kept per connector so an operator can
// inspect, redrive or let it expire. Pure rules shared by the queue workflow, its producers and the
// CLI: deterministic ids (a retried producer never makes two items), filters, size and history caps.
import { ApplicationFailure, type Duration } from '@temporalio/common';
import { durationMs } from './duration';

/** Serialized payloads above this travel by reference (`payloadRef`), never inline. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Per-item history entries kept (oldest dropped). */
export const MAX_ITEM_HISTORY = 20;
/** Error chain entries kept, and the length of each. */
const MAX_CHAIN = 5;
const MAX_MESSAGE = 500;

export interface DeadLetterError {
  /** The failure's type, e.g. `VendorUnavailable`, `BulkUpdateFailed` (what operators filter by). */
  type: string;
  message: string;
  /** Messages of the failure and its causes, outermost first. */
  chain: string[];
}

export interface DeadLetterHistoryEntry {
  at: string;
  outcome: 'failed' | 'redrive-failed';
  error?: string;
}

export interface DeadLetterItem {
  id: string;
  connector: string;
  /** Selects the redrive handler, e.g. `erpnext-employee`, `servicenow-incident`. */
  kind: string;
  /** The record's business key (e.g. employee_number): no other personal data. */
  key: string;
  /** The original input when small enough; else `payloadRef` points at it. */
  payload?: unknown;
  payloadRef?: string;
  error: DeadLetterError;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  expiresAt: string;
  source: { workflowId: string; runId?: string };
  history: DeadLetterHistoryEntry[];
}

/** What a producer sends; the queue fills in id (when absent), expiry and history. */
export type DeadLetterInput = Pick<
  DeadLetterItem,
  'connector' | 'kind' | 'key' | 'payload' | 'payloadRef' | 'error' | 'source'
> &
  Partial<Pick<DeadLetterItem, 'id' | 'attempts'>> & { failedAt: string };

/** One item as the queue lists it: without its payload and history. */
export type DeadLetterItemSummary = Omit<DeadLetterItem, 'payload' | 'history'> & { historyLength: number };

export interface RecentAction {
  at: string;
  action: 'added' | 'expired' | 'redrive-succeeded' | 'redrive-failed' | 'dropped';
  count: number;
}

/** A whole queue (`dlq-<connector>`), as its `summary` query answers. */
export interface DeadLetterQueueSummary {
  connector: string;
  count: number;
  oldestFirstFailedAt?: string;
  expiredTotal: number;
  redrivenTotal: number;
  recent: RecentAction[];
}

export interface DeadLetterFilter {
  connector?: string;
  errorType?: string;
  /** Only items whose first failure is older than this (ms or `2 days`). */
  olderThan?: Duration;
}

export interface RedriveRequest {
  ids?: string[];
  filter?: DeadLetterFilter;
}

export interface RedriveResult {
  attempted: number;
  succeeded: number;
  failed: number;
  results: { id: string; outcome: 'succeeded' | 'failed' | 'skipped'; error?: string }[];
}

/**
 * One item per record: the same record failing again (a retried producer, or tomorrow's run) adds
 * an attempt to its item, with the newest payload and source, instead of queueing it twice.
 */
export function deadLetterId(kind: string, key: string): string {
  return `${kind}:${key}`;
}

export function deadLetterQueueWorkflowId(connector: string): string {
  return `dlq-${connector}`;
}

export function serializedBytes(value: unknown): number {
  // UTF-8 length without Buffer (this module runs in the workflow sandbox too).
  return new TextEncoder().encode(JSON.stringify(value ?? null)).length;
}

/** Problems that make an input unacceptable (checked by producers before they signal). */
export function validateDeadLetterInput(input: DeadLetterInput): string[] {
  const problems: string[] = [];
  if (!input.connector) problems.push('connector is required');
  if (!input.kind) problems.push('kind is required');
  if (!input.key) problems.push('key is required');
  if (input.payload === undefined && !input.payloadRef) problems.push('payload or payloadRef is required');
  if (input.payload !== undefined && serializedBytes(input.payload) > MAX_PAYLOAD_BYTES)
    problems.push(`payload of ${input.key} exceeds ${MAX_PAYLOAD_BYTES} bytes: send it by reference`);
  return problems;
}

/** An error chain in a bounded, history-safe shape. */
export function deadLetterError(type: string, messages: string[]): DeadLetterError {
  const chain = messages
    .filter((m) => m)
    .slice(0, MAX_CHAIN)
    .map((m) => m.slice(0, MAX_MESSAGE));
  return { type: type || 'Error', message: chain[0] ?? type, chain };
}

/**
 * A failure as a dead-letter error: the first ApplicationFailure type on its cause chain (else
 * `fallbackType`) and the chain's messages from the outside in, bounded.
 */
export function deadLetterErrorOf(err: unknown, fallbackType = 'Error'): DeadLetterError {
  const messages: string[] = [];
  let type: string | undefined;
  for (let e: unknown = err; e instanceof Error && messages.length < MAX_CHAIN; e = e.cause) {
    if (!type && e instanceof ApplicationFailure && e.type) type = e.type;
    messages.push(e.message);
  }
  if (messages.length === 0) messages.push(String(err));
  return deadLetterError(type ?? fallbackType, messages);
}

/** Adds an input to the items (by id): a new item, or the existing one with one more failure. */
export function mergeDeadLetter(
  items: Map<string, DeadLetterItem>,
  input: DeadLetterInput,
  nowMs: number,
  retentionMs: number,
): DeadLetterItem {
  const id = input.id ?? deadLetterId(input.kind, input.key);
  const existing = items.get(id);
  const entry: DeadLetterHistoryEntry = { at: input.failedAt, outcome: 'failed', error: input.error.message };
  const item: DeadLetterItem = existing
    ? {
        ...existing,
        payload: input.payload ?? existing.payload,
        payloadRef: input.payloadRef ?? existing.payloadRef,
        error: input.error,
        attempts: existing.attempts + (input.attempts ?? 1),
        lastFailedAt: input.failedAt,
        source: input.source,
        history: [...existing.history, entry].slice(-MAX_ITEM_HISTORY),
      }
    : {
        id,
        connector: input.connector,
        kind: input.kind,
        key: input.key,
        payload: input.payload,
        payloadRef: input.payloadRef,
        error: input.error,
        attempts: input.attempts ?? 1,
        firstFailedAt: input.failedAt,
        lastFailedAt: input.failedAt,
        expiresAt: '',
        source: input.source,
        history: [entry],
      };
  // Expiry counts from the queue's clock at the latest failure: a fresh failure buys a fresh period.
  item.expiresAt = new Date(nowMs + retentionMs).toISOString();
  items.set(id, item);
  return item;
}

/** A failed redrive: the item stays with one more attempt and the new error in its history. */
export function recordRedriveFailure(
  item: DeadLetterItem,
  error: DeadLetterError,
  nowMs: number,
  retentionMs: number,
): DeadLetterItem {
  const at = new Date(nowMs).toISOString();
  return {
    ...item,
    error,
    attempts: item.attempts + 1,
    lastFailedAt: at,
    expiresAt: new Date(nowMs + retentionMs).toISOString(),
    history: [...item.history, { at, outcome: 'redrive-failed' as const, error: error.message }].slice(
      -MAX_ITEM_HISTORY,
    ),
  };
}

export function matchesFilter(
  item: DeadLetterItem,
  filter: DeadLetterFilter | undefined,
  nowMs: number,
): boolean {
  if (!filter) return true;
  if (filter.connector && item.connector !== filter.connector) return false;
  if (filter.errorType && item.error.type !== filter.errorType) return false;
  if (filter.olderThan !== undefined) {
    const age = nowMs - Date.parse(item.firstFailedAt);
    if (!(age > durationMs(filter.olderThan))) return false;
  }
  return true;
}

/** Items a redrive request selects; ids and filter both apply when both are given. */
export function selectForRedrive(
  items: Iterable<DeadLetterItem>,
  request: RedriveRequest,
  nowMs: number,
): DeadLetterItem[] {
  const ids = request.ids ? new Set(request.ids) : undefined;
  return [...items].filter((i) => (!ids || ids.has(i.id)) && matchesFilter(i, request.filter, nowMs));
}

/** Why a redrive request is refused, or undefined. An empty selection would redrive everything. */
export function redriveRequestProblem(request: RedriveRequest | undefined): string | undefined {
  if (!request || typeof request !== 'object') return 'give ids or a filter';
  const hasIds = Array.isArray(request.ids) && request.ids.length > 0;
  const f = request.filter;
  const hasFilter = !!f && (!!f.connector || !!f.errorType || f.olderThan !== undefined);
  if (!hasIds && !hasFilter) return 'empty selection: give ids or a filter (connector, errorType, olderThan)';
  if (f?.olderThan !== undefined) {
    try {
      if (!Number.isFinite(durationMs(f.olderThan)))
        return `olderThan ${String(f.olderThan)} is not a duration`;
    } catch {
      return `olderThan ${String(f.olderThan)} is not a duration`;
    }
  }
  return undefined;
}

export function summarize(item: DeadLetterItem): DeadLetterItemSummary {
  const { payload: _payload, history, ...rest } = item;
  return { ...rest, historyLength: history.length };
}

/** The time the next item expires, or undefined when the queue is empty. */
export function nextExpiry(items: Iterable<DeadLetterItem>): number | undefined {
  let next: number | undefined;
  for (const i of items) {
    const t = Date.parse(i.expiresAt);
    if (next === undefined || t < next) next = t;
  }
  return next;
}
