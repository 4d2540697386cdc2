// circuitBreaker: one long-lived workflow per connector and region (id `breaker-<connector>`,
// e.g. `breaker-erpnext-eu`) that holds the breaker's state durably. Callers ask it (`permit`)
// before each call and report outage failures (`outcome`); people and renewals open and close it by
// signal; everyone reads it by query. The gating rules live in circuitBreaker/gatingRun.ts; runs
// started before them keep the old open/close-only behaviour on replay.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  setHandler,
} from '@temporalio/workflow';
import type { BreakerCore, BreakerPolicy, BreakerState, Permit } from '../domain/breaker';
import { breakerTransitionArgs, circuitBreakerInput } from '../domain/inputs/platform';
import { gatingRun, outcomeSignal, permitUpdate, type BreakerTransition } from './circuitBreaker/gatingRun';
import { reportBreakerState } from './shared/breakerMetrics';
import { signalArg } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export type { BreakerState } from '../domain/breaker';
export type { BreakerTransition } from './circuitBreaker/gatingRun';
export { outcomeSignal, permitUpdate } from './circuitBreaker/gatingRun';

export interface CircuitBreakerInput {
  connector: string;
  state?: BreakerState;
  history?: BreakerTransition[];
  /** Thresholds; each `permit` request carries the worker's current ones (BREAKER_* settings). */
  policy?: BreakerPolicy;
  /** Carried over continue-as-new. */
  core?: BreakerCore;
}

export const openBreaker = defineSignal<[{ by: string; reason: string }]>('open');
export const closeBreaker = defineSignal<[{ by: string; reason: string }]>('close');
export const breakerState = defineQuery<{
  connector: string;
  state: BreakerState;
  history: BreakerTransition[];
  failuresInWindow?: number;
  halfOpenAt?: string;
  heldBy?: string;
  policy?: BreakerPolicy;
}>('state');

const MAX_TRANSITIONS_PER_RUN = 200;

export { breakerWorkflowId } from '../domain/breaker';

export async function circuitBreaker(raw: CircuitBreakerInput): Promise<void> {
  const input = beginRun(circuitBreakerInput, raw, (i) => ({
    connector: i.connector,
    details: `Circuit breaker of ${i.connector}: while open, syncs wait on durable timers instead of calling the vendor.`,
  }));
  if (patched('breaker-gates'))
    return gatingRun(input, (h) => {
      setHandler(openBreaker, h.open);
      setHandler(closeBreaker, h.close);
      setHandler(breakerState, h.reading);
      dropUnknownSignals();
    });
  let state: 'open' | 'closed' = input.state === 'open' ? 'open' : 'closed';
  const history = [...(input.history ?? [])].slice(-20);
  let transitions = 0;
  reportBreakerState(input.connector, state);
  const transition = (to: 'open' | 'closed', raw: unknown) => {
    const args = signalArg(breakerTransitionArgs, raw, to === 'open' ? 'open' : 'close');
    if (!args || state === to) return;
    const { by, reason } = args;
    state = to;
    transitions++;
    history.push({ state: to, by, reason, at: new Date().toISOString() });
    reportBreakerState(input.connector, to);
  };
  setHandler(openBreaker, (args) => transition('open', args));
  setHandler(closeBreaker, (args) => transition('closed', args));
  setHandler(breakerState, () => ({ connector: input.connector, state, history }));
  // A breaker started before the gate answers the first caller that asks from its state, then
  // continues as new into the gating run (an open one stays held open there).
  let upgrade = false;
  setHandler(permitUpdate, (): Permit => {
    upgrade = true;
    return state === 'open'
      ? { granted: false, state, reason: 'breaker held open' }
      : { granted: true, state, probe: false };
  });
  setHandler(outcomeSignal, () => void (upgrade = true));
  dropUnknownSignals();
  await condition(() => transitions >= MAX_TRANSITIONS_PER_RUN || upgrade);
  await condition(allHandlersFinished);
  await continueAsNew<typeof circuitBreaker>({ connector: input.connector, state, history });
}
