// A click on an alert's button: who clicked (users.info), whether they may (CAB group), the update
// on the workflow (idempotent by Slack's action_ts), then the message replaced with the outcome and
// no buttons, or an ephemeral refusal with the workflow's reason. One audit line per click.
import { writeAudit } from '../audit';
import { isAlertActionKind, parseActionValue } from '../domain/alertActions';
import { planAction, type Actor } from './actions';
import type { IngressOutcome } from './metrics';
import type { SlackPeople } from './slackPeople';
import type { TemporalGateway } from './temporal';

export interface BlockActionsPayload {
  type: 'block_actions';
  team?: { id?: string };
  user: { id: string; username?: string; name?: string };
  response_url?: string;
  message?: { blocks?: { type?: string; block_id?: string }[] };
  actions: { action_id: string; value?: string; action_ts: string }[];
}

export interface InteractivityDeps {
  temporal: TemporalGateway;
  slack: SlackPeople;
  cabUsergroup?: string;
  now: () => number;
  warn: (message: string, meta: object) => void;
}

export function isBlockActions(value: unknown): value is BlockActionsPayload {
  const p = value as BlockActionsPayload;
  return (
    p?.type === 'block_actions' &&
    typeof p.user?.id === 'string' &&
    Array.isArray(p.actions) &&
    typeof p.actions[0]?.action_id === 'string' &&
    typeof p.actions[0]?.action_ts === 'string'
  );
}

export async function handleBlockActions(
  payload: BlockActionsPayload,
  deps: InteractivityDeps,
): Promise<IngressOutcome> {
  const action = payload.actions[0]!;
  const target = action.value === undefined ? undefined : parseActionValue(action.value);
  if (!isAlertActionKind(action.action_id) || !target) return 'invalid';
  const actor = await whoClicked(payload, deps);
  const plan = planAction(action.action_id, actor, deps.now(), target.target);
  const updateId = `slack-${payload.team?.id ?? 'team'}-${payload.user.id}-${action.action_ts}`;
  const audit = (outcome: string, detail: Record<string, string> = {}) =>
    writeAudit({
      actor: actor.name,
      connector: 'slack',
      workflowId: target.workflowId,
      runId: '',
      action: `update:${plan.update}`,
      target: target.workflowId,
      outcome,
      detail: { via: 'slack', button: action.action_id, slackUser: actor.id, updateId, ...detail },
    });
  const refuse = async (reason: string) => {
    audit('rejected', { reason });
    await tell(deps, payload, {
      response_type: 'ephemeral',
      replace_original: false,
      text: `Not done: ${reason}`,
    });
    return 'refused' as const;
  };

  if (plan.cabOnly) {
    if (!deps.cabUsergroup) return refuse('CAB decisions from Slack are not configured');
    if (!(await deps.slack.inUsergroup(deps.cabUsergroup, actor.id)))
      return refuse('only members of the CAB user group can decide');
  }
  const outcome = await deps.temporal.update(target.workflowId, plan.update, plan.args, updateId);
  if (outcome.status === 'refused') return refuse(outcome.reason);
  audit('success');
  await tell(deps, payload, {
    replace_original: true,
    text: plan.outcome,
    blocks: [
      ...(payload.message?.blocks ?? []).filter((b) => b.type !== 'actions'),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `✅ ${plan.outcome}` }] },
    ],
  });
  return 'accepted';
}

async function whoClicked(payload: BlockActionsPayload, deps: InteractivityDeps): Promise<Actor> {
  try {
    return await deps.slack.actor(payload.user.id);
  } catch (err) {
    // The click still counts: the payload's handle names the person, only less kindly.
    deps.warn('users.info failed; using the payload handle', { error: (err as Error).message });
    return { id: payload.user.id, name: payload.user.username ?? payload.user.name ?? payload.user.id };
  }
}

/** The message update is best effort: Temporal already took the action, so a failure is only logged. */
async function tell(
  deps: InteractivityDeps,
  payload: BlockActionsPayload,
  body: Parameters<SlackPeople['respond']>[1],
): Promise<void> {
  if (!payload.response_url) return;
  try {
    await deps.slack.respond(payload.response_url, body);
  } catch (err) {
    deps.warn('response_url post failed', { error: (err as Error).message });
  }
}
