// sesFeedback: the one durable list of SES feedback (id `ses-feedback`). The ingress signals each
// verified bounce or complaint (`feedback`, deduplicated by the SNS MessageId), the email activities
// signal what they sent (`sent`) and ask which recipients are suppressed (query `suppressed`).
// One list rather than a workflow per address: every send asks about all its recipients in one
// query, operators list the whole list in one query, and it stays small (a key and a hint per
// address). Rolling bounce and complaint rates per configuration set warn at 2% bounces and pause
// non-critical mail at 4% with an alert to Platform Engineering. History stays bounded by
// continuing as new with the state.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyFeedback,
  countInto,
  DEFAULT_THRESHOLDS,
  reputationOf,
  SES_FEEDBACK as M,
  type DayCounts,
  type FeedbackEvent,
  type Reputation,
  type ReputationLevel,
  type ReputationThresholds,
  type Suppression,
  type TransientCount,
} from '../domain/sesFeedback';
import { feedbackArgs, liftArgs, sentArgs, sesFeedbackInput } from '../domain/inputs/sesFeedback';
import type { Activities } from '../activities';
import { announce } from './shared/announce';
import { reputationAlert } from './shared/sesAlerts';
import { signalArg, updateArgValidator } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

const email = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});

const DEFAULT_CONTINUE_AS_NEW_AFTER = 500;
const RECENT_MESSAGE_IDS = 5_000;

export interface SesFeedbackInput {
  thresholds?: Partial<ReputationThresholds>;
  continueAsNewAfter?: number;
  /** Carried over continue-as-new. */
  suppressions?: Suppression[];
  transient?: TransientCount[];
  counts?: Record<string, DayCounts[]>;
  levels?: Record<string, ReputationLevel>;
  recentMessageIds?: string[];
}

export interface LiftRequest {
  addressKey: string;
  who: string;
  note?: string;
}

export const feedbackSignal = defineSignal<[FeedbackEvent[]]>(M.feedback);
export const sentSignal = defineSignal<[{ configurationSet: string; count: number }]>(M.sent);
export const liftUpdate = defineUpdate<{ lifted: boolean; hint?: string }, [LiftRequest]>(M.lift);
export const suppressedQuery = defineQuery<string[], [string[]]>(M.suppressed);
export const suppressionsQuery = defineQuery<Suppression[]>(M.suppressions);
export const reputationQuery = defineQuery<Reputation[]>(M.reputation);

export async function sesFeedback(raw: SesFeedbackInput): Promise<void> {
  const input = beginRun(sesFeedbackInput, raw, (i) => ({
    connector: 'ses',
    details: listDetails(i.suppressions?.length ?? 0),
  })) as SesFeedbackInput;
  const t: ReputationThresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const limit = input.continueAsNewAfter ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
  const suppressed = new Map((input.suppressions ?? []).map((s) => [s.addressKey, s]));
  const transient = new Map((input.transient ?? []).map((c) => [c.addressKey, c]));
  const counts = new Map(Object.entries(input.counts ?? {}));
  const levels = new Map(Object.entries(input.levels ?? {}));
  const recent = [...(input.recentMessageIds ?? [])];
  const seen = new Set(recent);
  let handled = 0;
  let changed = false;

  const count = (set: string, add: Partial<Omit<DayCounts, 'day'>>) =>
    counts.set(set, countInto(counts.get(set) ?? [], Date.now(), add, t.windowDays));
  const reputations = () => [...counts].map(([set, days]) => reputationOf(set, days, Date.now(), t));

  setHandler(feedbackSignal, (rawEvents) => {
    handled++;
    const events = signalArg(feedbackArgs, rawEvents, M.feedback);
    if (!events) return;
    // One SNS notification is one MessageId; a redelivered one changes nothing.
    const fresh = events.filter((e) => !seen.has(e.messageId));
    for (const id of new Set(fresh.map((e) => e.messageId))) {
      seen.add(id);
      recent.push(id);
    }
    while (recent.length > RECENT_MESSAGE_IDS) seen.delete(recent.shift()!);
    for (const e of fresh) {
      const s = applyFeedback(suppressed, transient, e, t.transientLimit);
      if (s) log.info('address suppressed', { hint: s.hint, reason: s.reason });
      count(e.configurationSet, e.kind === 'complaint' ? { complaints: 1 } : { bounces: 1 });
    }
    if (fresh.length > 0) changed = true;
  });
  setHandler(sentSignal, (rawSent) => {
    handled++;
    const sent = signalArg(sentArgs, rawSent, M.sent);
    if (!sent) return;
    count(sent.configurationSet, { sent: sent.count });
    changed = true;
  });
  setHandler(
    liftUpdate,
    (request) => {
      handled++;
      const s = suppressed.get(request.addressKey);
      suppressed.delete(request.addressKey);
      transient.delete(request.addressKey);
      log.info('suppression lifted', { hint: s?.hint, who: request.who, note: request.note });
      changed = true;
      return { lifted: s !== undefined, hint: s?.hint };
    },
    { validator: updateArgValidator(liftArgs, 'lift') },
  );
  setHandler(suppressedQuery, (keys) => (Array.isArray(keys) ? keys.filter((k) => suppressed.has(k)) : []));
  setHandler(suppressionsQuery, () => [...suppressed.values()]);
  setHandler(reputationQuery, reputations);
  dropUnknownSignals();

  /** Announces each configuration set whose level changed since the last look. */
  async function judge(): Promise<void> {
    for (const r of reputations()) {
      const before = levels.get(r.configurationSet) ?? 'ok';
      if (r.level === before) continue;
      levels.set(r.configurationSet, r.level);
      const alert = reputationAlert(r, before, t);
      if (!alert) continue;
      await announce(alert);
      // Platform Engineering's address too (PLATFORM_ENGINEERING_EMAIL; skipped when unset). Runs
      // recorded before this replay without it.
      if (alert.audience === 'platform-engineering' && patched('ses-platform-engineering-email'))
        await email.emailAudience({ ...alert, run: thisRun() }).catch((err: unknown) => {
          log.warn('Platform Engineering not e-mailed', { error: String(err) });
        });
    }
  }

  const shouldContinue = () => handled >= limit || workflowInfo().continueAsNewSuggested;
  for (;;) {
    // Wake at least daily: days leaving the window can lift a pause on their own.
    await condition(() => changed || shouldContinue(), '1 day');
    changed = false;
    await judge();
    setCurrentDetails(listDetails(suppressed.size));
    if (shouldContinue()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof sesFeedback>({
        thresholds: input.thresholds,
        continueAsNewAfter: input.continueAsNewAfter,
        suppressions: [...suppressed.values()],
        transient: [...transient.values()],
        counts: Object.fromEntries(counts),
        levels: Object.fromEntries(levels),
        recentMessageIds: recent,
      });
    }
  }
}

function thisRun() {
  const { namespace, workflowId, runId } = workflowInfo();
  return { namespace, workflowId, runId };
}

function listDetails(count: number): string {
  return `SES feedback: ${count} suppressed address(es); bounce and complaint rates per configuration set (query \`reputation\`).`;
}
