// circuitBreaker: one long-lived workflow per connector (id `breaker-<connector>`) that holds the
// breaker's state durably. Others open and close it by signal and read it by query; history stays
// bounded by continuing as new after many transitions.
import { condition, continueAsNew, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { breakerTransitionArgs, circuitBreakerInput } from '../domain/inputs/platform';
import { reportBreakerState } from './shared/breakerMetrics';
import { signalArg } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export type BreakerState = 'closed' | 'open';

export interface BreakerTransition {
  state: BreakerState;
  by: string;
  reason: string;
  at: string;
}

export interface CircuitBreakerInput {
  connector: string;
  state?: BreakerState;
  history?: BreakerTransition[];
}

export const openBreaker = defineSignal<[{ by: string; reason: string }]>('open');
export const closeBreaker = defineSignal<[{ by: string; reason: string }]>('close');
export const breakerState = defineQuery<{
  connector: string;
  state: BreakerState;
  history: BreakerTransition[];
}>('state');

const MAX_TRANSITIONS_PER_RUN = 200;

export function breakerWorkflowId(connector: string): string {
  return `breaker-${connector}`;
}

export async function circuitBreaker(raw: CircuitBreakerInput): Promise<void> {
  const input = beginRun(circuitBreakerInput, raw, (i) => ({
    connector: i.connector,
    details: `Circuit breaker of ${i.connector}: while open, syncs wait on durable timers instead of calling the vendor.`,
  }));
  let state: BreakerState = input.state ?? 'closed';
  const history = [...(input.history ?? [])].slice(-20);
  let transitions = 0;
  reportBreakerState(input.connector, state);
  const transition = (to: BreakerState, raw: unknown) => {
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
  dropUnknownSignals();
  await condition(() => transitions >= MAX_TRANSITIONS_PER_RUN);
  await continueAsNew<typeof circuitBreaker>({ connector: input.connector, state, history });
}
