// The audit trail: one JSON line per action that changes something outside (a vendor write, a
// person's signal or update, an escalation, a redrive), for a SIEM to collect. Lines name who or
// which schedule acted, the connector, workflow and run, the action, the target key and the outcome;
// never a secret, never personal data beyond the target key. Worker-side only (it does I/O).
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditRecord {
  /** ISO time the action finished. */
  ts: string;
  /** A person (`who`/`by` of a signal), `schedule:<schedule id>`, or `workflow`. */
  actor: string;
  connector: string;
  workflowId: string;
  runId: string;
  /** What was done: a vendor operation (`chat.postMessage`), `signal:<name>`, `update:<name>`, `escalate`… */
  action: string;
  /** The key of what was acted on: a channel, a correlation id, a host, a record key. */
  target: string;
  /** `success`, a vendor error kind (`unavailable`, `rate-limited`, …), `received`, `rejected`… */
  outcome: string;
  detail?: Record<string, string | number | boolean>;
}

export type AuditWriter = (record: AuditRecord) => void;

/** `off`, `stdout`, or a file path (appended to; its folder is created). */
export function createAuditWriter(sink: string): AuditWriter {
  if (sink === 'off') return () => {};
  if (sink === 'stdout') return (record) => void process.stdout.write(`${JSON.stringify(record)}\n`);
  mkdirSync(dirname(sink), { recursive: true });
  // One append per line: lines from concurrent activities (and worker processes) never interleave.
  return (record) => appendFileSync(sink, `${JSON.stringify(record)}\n`);
}

let writer: AuditWriter = () => {};

/** Sets the process's audit sink (the worker does this at start; off until then). */
export function useAuditWriter(next: AuditWriter): void {
  writer = next;
}

/** Writes one line; an unwritable sink is reported on stderr and never fails the action it records. */
export function writeAudit(record: Omit<AuditRecord, 'ts'>): void {
  try {
    writer({ ts: new Date().toISOString(), ...record });
  } catch (err) {
    process.stderr.write(`audit trail not written: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

const actors = new AsyncLocalStorage<string>();

/** Runs an activity with the actor its workflow named (see the audit interceptors). */
export function runAsActor<T>(actor: string, fn: () => T): T {
  return actors.run(actor, fn);
}

export function currentActor(): string {
  return actors.getStore() ?? 'workflow';
}
