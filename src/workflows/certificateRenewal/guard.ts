// What certificateRenewal lets in: each action's arguments checked against its schema and its
// refusals as plain, non-retryable failures (no stack trace reaches the person acting), and the
// one-line current details the Web UI shows for the run.
import { ApplicationFailure } from '@temporalio/common';
import { renewalActionArgs } from '../../domain/inputs/certificateRenewal';
import { parseInput, refusal } from '../../domain/inputs/parse';
import type { RenewalAction, RenewalActionName } from './messages';
import { normalizeActionArgs, type RenewalStatus } from './state';

/** The action with its arguments in the people's form, or a non-retryable InvalidInput. */
export function parseAction(name: RenewalActionName, raw: unknown): RenewalAction {
  const args: unknown = parseInput(
    renewalActionArgs[name],
    normalizeActionArgs(name, raw),
    `${name} argument`,
  );
  // The schema table is keyed by the same names, so the arguments fit the action they came with.
  return { name, args } as RenewalAction;
}

/** Runs a state check; its refusal becomes a non-retryable `Refused` with the plain message. */
export function unlessRefused<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw refusal((err as Error).message, 'Refused');
  }
}

/** Who sent a refused signal, when that is a short name; never a caller's megabyte. */
export function actorOf(raw: unknown): string {
  const who = (raw as { who?: unknown } | null)?.who;
  return typeof who === 'string' && who.trim() && who.length <= 200 ? who : 'unknown';
}

export function renewalDetails(status: RenewalStatus): string {
  const next = status.next ? `; next: ${status.next.what} at ${status.next.at}` : '';
  return `Renewal of the certificate of ${status.host} (expires ${status.expiresAt}, ${status.daysLeft} days left): stage ${status.stage}, level ${status.level} (${status.levelName})${status.acknowledged ? ', acknowledged' : ''}, CAB ${status.cab}${next}.`;
}
