// One-click answers an alert can carry. Each action names the workflow it acts on and what it
// does there; the ingress maps it to an update (see src/ingress/actions.ts). Pure: workflows
// build these, renderers turn them into Slack buttons or Teams/email links.

export type AlertActionKind =
  | 'renewal.acknowledge'
  | 'renewal.escalateNow'
  | 'renewal.snooze'
  | 'renewal.cabApprove'
  | 'renewal.cabReject'
  | 'workday.driftProceed'
  | 'workday.driftAbort'
  | 'dlq.redrive';

export interface AlertAction {
  kind: AlertActionKind;
  label: string;
  workflowId: string;
  style?: 'primary' | 'danger';
  /** The connector whose dead letters `dlq.redrive` redrives. */
  target?: string;
}

export const ALERT_ACTION_KINDS: readonly AlertActionKind[] = [
  'renewal.acknowledge',
  'renewal.escalateNow',
  'renewal.snooze',
  'renewal.cabApprove',
  'renewal.cabReject',
  'workday.driftProceed',
  'workday.driftAbort',
  'dlq.redrive',
];

export function isAlertActionKind(value: unknown): value is AlertActionKind {
  return typeof value === 'string' && (ALERT_ACTION_KINDS as readonly string[]).includes(value);
}

export function renewalReminderActions(workflowId: string): AlertAction[] {
  return [
    { kind: 'renewal.acknowledge', label: 'Acknowledge', workflowId, style: 'primary' },
    { kind: 'renewal.escalateNow', label: 'Escalate now', workflowId, style: 'danger' },
    { kind: 'renewal.snooze', label: 'Snooze 4 h', workflowId },
  ];
}

export function cabActions(workflowId: string): AlertAction[] {
  return [
    { kind: 'renewal.cabApprove', label: 'Approve', workflowId, style: 'primary' },
    { kind: 'renewal.cabReject', label: 'Reject', workflowId, style: 'danger' },
  ];
}

export function driftGateActions(workflowId: string): AlertAction[] {
  return [
    { kind: 'workday.driftProceed', label: 'Proceed', workflowId, style: 'primary' },
    { kind: 'workday.driftAbort', label: 'Abort', workflowId, style: 'danger' },
  ];
}

/** Redrives every queued item of the connector (the dead-letter queue is one workflow per connector). */
export function redriveAction(workflowId: string, connector: string): AlertAction {
  return { kind: 'dlq.redrive', label: 'Redrive', workflowId, target: connector, style: 'primary' };
}

/** The button's `value`: what the click acts on. Slack returns it unchanged in the signed payload. */
export function actionValue(action: AlertAction): string {
  return JSON.stringify({ w: action.workflowId, ...(action.target && { t: action.target }) });
}

export function parseActionValue(value: string): { workflowId: string; target?: string } | undefined {
  try {
    const parsed = JSON.parse(value) as { w?: unknown; t?: unknown };
    if (typeof parsed.w !== 'string' || parsed.w === '') return undefined;
    return { workflowId: parsed.w, ...(typeof parsed.t === 'string' && { target: parsed.t }) };
  } catch {
    return undefined;
  }
}

/** A Block Kit `actions` block: one button per action, `action_id` = the kind. */
export function actionsBlock(actions: AlertAction[]): object {
  return {
    type: 'actions',
    block_id: 'alert-actions',
    elements: actions.map((a) => ({
      type: 'button',
      action_id: a.kind,
      text: { type: 'plain_text', text: a.label },
      value: actionValue(a),
      ...(a.style && { style: a.style }),
    })),
  };
}
