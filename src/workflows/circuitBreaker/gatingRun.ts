// The breaker that gates (see domain/breaker.ts for its rules): callers ask `permit` before each
// call and signal `outcome` after; the breaker opens on N failures in the window, half-opens on a
// durable timer with one probe, closes on the probe's success, and announces each transition once,
// in order, from its own loop (a slow chat channel never holds back a permit).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_BREAKER_POLICY,
  close,
  closedCore,
  holdOpen,
  nextChangeAt,
  permit,
  recordFailure,
  recordSuccess,
  tick,
  type BreakerCore,
  type BreakerPolicy,
  type BreakerState,
  type Permit,
} from '../../domain/breaker';
import {
  breakerOutcomeArgs,
  breakerPermitArgs,
  breakerTransitionArgs,
  type circuitBreakerInput,
} from '../../domain/inputs/platform';
import type { z } from 'zod';
import type { Alert } from '../../domain/alert';
import { announce } from '../shared/announce';
import { reportBreakerState } from '../shared/breakerMetrics';
import { signalArg, updateArgValidator } from '../shared/messageArgs';

export interface BreakerTransition {
  state: BreakerState;
  by: string;
  reason: string;
  at: string;
}

export interface PermitArgs {
  by: string;
  policy?: BreakerPolicy;
}
export interface OutcomeArgs {
  by: string;
  ok: boolean;
  reason?: string;
}

export const permitUpdate = defineUpdate<Permit, [PermitArgs]>('permit');
export const outcomeSignal = defineSignal<[OutcomeArgs]>('outcome');

export interface BreakerHandlers {
  open: (raw: unknown) => void;
  close: (raw: unknown) => void;
  reading: () => {
    connector: string;
    state: BreakerState;
    history: BreakerTransition[];
    failuresInWindow: number;
    halfOpenAt?: string;
    heldBy?: string;
    policy: BreakerPolicy;
  };
}

const MAX_HANDLED_PER_RUN = 2_000;

type Input = z.output<(typeof circuitBreakerInput)['schema']>;

export async function gatingRun(input: Input, bind: (handlers: BreakerHandlers) => void): Promise<never> {
  const { connector } = input;
  let policy: BreakerPolicy = input.policy ?? DEFAULT_BREAKER_POLICY;
  // A run continued from the first breaker carries only `state`: an open one was opened by hand.
  const core: BreakerCore =
    input.core ??
    (input.state === 'open' ? { state: 'open', failures: [], heldBy: 'earlier run' } : closedCore());
  const history = [...(input.history ?? [])].slice(-20);
  const pending: Alert[] = [];
  let handled = 0;
  reportBreakerState(connector, core.state);

  const moved = (to: BreakerState | undefined, by: string, reason: string) => {
    if (!to) return;
    const entry = { state: to, by, reason: reason.slice(0, 500), at: new Date().toISOString() };
    history.push(entry);
    if (history.length > 20) history.splice(0, history.length - 20);
    pending.push(transitionAlert(connector, entry, core, policy));
    reportBreakerState(connector, to);
  };
  const halfOpenIfDue = () =>
    moved(tick(core, Date.now()), 'breaker', 'open time over: the next call is a probe');

  setHandler(
    permitUpdate,
    ({ by, policy: given }) => {
      handled++;
      if (given) policy = given;
      halfOpenIfDue();
      return permit(core, by, Date.now(), policy);
    },
    { validator: updateArgValidator(breakerPermitArgs, 'permit') },
  );
  setHandler(outcomeSignal, (raw) => {
    handled++;
    const args = signalArg(breakerOutcomeArgs, raw, 'outcome');
    if (!args) return;
    halfOpenIfDue();
    if (args.ok) moved(recordSuccess(core, args.by), args.by, 'call succeeded');
    else moved(recordFailure(core, args.by, Date.now(), policy), args.by, args.reason ?? 'call failed');
  });

  bind({
    open: (raw) => {
      const args = signalArg(breakerTransitionArgs, raw, 'open');
      if (args) moved(holdOpen(core, args.by), args.by, args.reason);
    },
    close: (raw) => {
      const args = signalArg(breakerTransitionArgs, raw, 'close');
      if (args) moved(close(core), args.by, args.reason);
    },
    reading: () => ({
      connector,
      state: core.state,
      history,
      failuresInWindow: core.failures.filter((at) => at > Date.now() - policy.windowMs).length,
      halfOpenAt: core.halfOpenAt !== undefined ? new Date(core.halfOpenAt).toISOString() : undefined,
      heldBy: core.heldBy,
      policy,
    }),
  });
  const shouldContinue = () => handled >= MAX_HANDLED_PER_RUN || workflowInfo().continueAsNewSuggested;
  for (;;) {
    const at = nextChangeAt(core);
    const woken = () => pending.length > 0 || shouldContinue();
    if (at === undefined) await condition(woken);
    else await condition(woken, Math.max(1, at - Date.now()));
    halfOpenIfDue();
    while (pending.length > 0) await announce(pending.shift()!);
    if (shouldContinue()) {
      await condition(allHandlersFinished);
      if (pending.length > 0) continue;
      await continueAsNew<(i: Input) => Promise<void>>({
        connector,
        state: core.state,
        history,
        policy,
        core,
      });
    }
  }
}

/** Worded when the transition happens: by the time it is sent the breaker may have moved on. */
function transitionAlert(
  connector: string,
  t: BreakerTransition,
  core: BreakerCore,
  policy: BreakerPolicy,
): Alert {
  const text = {
    open: {
      severity: 'critical' as const,
      summary:
        core.heldBy !== undefined
          ? `Opened by ${t.by}: ${t.reason}. Calls to ${connector} are refused until it is closed.`
          : `${policy.failures} failures within ${Math.round(policy.windowMs / 60_000)} min (last: ${t.reason}). Calls to ${connector} are refused for ${Math.round(policy.openForMs / 60_000)} min, then one probe goes through.`,
    },
    'half-open': {
      severity: 'warning' as const,
      summary: `The next call to ${connector} is a probe: its success closes the breaker, its failure opens it again.`,
    },
    closed: {
      severity: 'info' as const,
      summary: `${connector} answers again (${t.by}: ${t.reason}); calls resume.`,
    },
  }[t.state];
  return { title: `${connector} circuit breaker ${t.state}`, connector, ...text };
}
