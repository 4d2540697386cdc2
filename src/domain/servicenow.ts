// ServiceNow rules shared by workflows and activities: what an incident event is, how its severity
// maps to impact/urgency, which synced changes matter (P1/P2, state changes, CAB decisions), and
// the alerts they become. Pure: no I/O, safe in workflows.
import type { Alert, Severity } from './alert';
import type { KeysetCursor } from './cursor';

export const SYNC_TABLES = ['incident', 'change_request'] as const;
export type SyncTable = (typeof SYNC_TABLES)[number];

/** `correlation_display` of the incidents this system opens. */
export const INCIDENT_SOURCE_DISPLAY = 'durable-integrations';
/** `correlation_display` of change requests whose `correlation_id` names a waiting workflow. */
export const CAB_WAITER_DISPLAY = 'temporal-workflow';

export type IncidentSeverity = 'critical' | 'high' | 'moderate' | 'low';

/** An event from one of our workflows that should be (or stop being) an incident. */
export interface IncidentEvent {
  /** The system that raised it (e.g. `erpnext`, `workday-import`). */
  sourceSystem: string;
  /** Its id there: stable across retries and updates of the same event. */
  sourceId: string;
  title: string;
  description?: string;
  severity: IncidentSeverity;
  /** `resolved` resolves the incident opened for the same event. Default `open`. */
  status?: 'open' | 'resolved';
  category?: string;
  /** The group the incident is assigned to, e.g. a vendor's operations team. */
  assignmentGroup?: string;
}

/** A change request that a workflow waits on for CAB approval (correlation_id = its workflow id). */
export interface ChangeRequestDraft {
  waiterWorkflowId: string;
  title: string;
  description: string;
}

export interface IncidentRef {
  correlationId: string;
  number: string;
  sysId: string;
  /** What the Import Set transform did. */
  outcome: 'inserted' | 'updated' | 'ignored';
}

/** Impact and urgency that give ServiceNow's OOB priority: critical P1, high P2, moderate P3, low P5. */
export const SEVERITY_IMPACT_URGENCY: Record<IncidentSeverity, { impact: string; urgency: string }> = {
  critical: { impact: '1', urgency: '1' },
  high: { impact: '1', urgency: '2' },
  moderate: { impact: '2', urgency: '2' },
  low: { impact: '3', urgency: '3' },
};

export const INCIDENT_STATES: Record<string, string> = {
  '1': 'New',
  '2': 'In Progress',
  '3': 'On Hold',
  '6': 'Resolved',
  '7': 'Closed',
  '8': 'Canceled',
};

export function stateName(state: string | undefined): string {
  return (state && INCIDENT_STATES[state]) || `state ${state ?? '?'}`;
}

export function validateIncidentEvent(event: IncidentEvent): string[] {
  const problems: string[] = [];
  if (!event || typeof event !== 'object') return ['the event must be an object'];
  if (!event.sourceSystem?.trim()) problems.push('sourceSystem is required');
  if (!event.sourceId?.trim()) problems.push('sourceId is required');
  if (!event.title?.trim()) problems.push('title is required');
  if (!(event.severity in SEVERITY_IMPACT_URGENCY))
    problems.push(`severity must be one of ${Object.keys(SEVERITY_IMPACT_URGENCY).join(', ')}`);
  if (event.status !== undefined && event.status !== 'open' && event.status !== 'resolved')
    problems.push('status must be open or resolved');
  return problems;
}

/** A change found by the delta sync that someone must hear about. Small: it goes into history. */
export type SyncEvent =
  | {
      kind: 'incident';
      reason: 'opened' | 'state-changed' | 'escalated';
      number: string;
      sysId: string;
      priority: string;
      state: string;
      previousState?: string;
      shortDescription: string;
      ours: boolean;
    }
  | {
      kind: 'cab-decision';
      number: string;
      sysId: string;
      approval: 'approved' | 'rejected';
      /** The workflow waiting for the decision. */
      workflowId: string;
      decidedAt: string;
    };

/** The decision signalled to the workflow waiting for a change request's CAB approval. */
export interface CabDecision {
  changeNumber: string;
  changeSysId: string;
  approval: 'approved' | 'rejected';
  decidedAt: string;
}

export type SyncCursor = Partial<Record<SyncTable, KeysetCursor>>;

export function isUrgent(priority: string | undefined): boolean {
  return priority === '1' || priority === '2';
}

/** One alert for a synced incident change. */
export function incidentAlert(event: Extract<SyncEvent, { kind: 'incident' }>): Alert {
  const severity: Severity =
    event.priority === '1' ? 'critical' : isUrgent(event.priority) ? 'warning' : 'info';
  const what =
    event.reason === 'opened'
      ? 'opened'
      : event.reason === 'escalated'
        ? `escalated to P${event.priority}`
        : `${stateName(event.previousState)} → ${stateName(event.state)}`;
  return {
    title: `ServiceNow ${event.number} (P${event.priority}) ${what}`,
    severity,
    summary: event.shortDescription || '(no short description)',
    facts: [
      { name: 'Incident', value: event.number },
      { name: 'Priority', value: `P${event.priority}` },
      { name: 'State', value: stateName(event.state) },
      ...(event.ours ? [{ name: 'Opened by', value: INCIDENT_SOURCE_DISPLAY }] : []),
    ],
    connector: 'servicenow',
  };
}

/** When a page holds more announcements than this, they go out as one digest. */
export const MAX_ALERTS_PER_PAGE = 10;

export function digestAlert(events: Extract<SyncEvent, { kind: 'incident' }>[]): Alert {
  const shown = events.slice(0, 20);
  const urgent = events.some((e) => e.priority === '1');
  return {
    title: `ServiceNow: ${events.length} incident changes`,
    severity: urgent ? 'critical' : 'warning',
    summary: `${events.length} P1/P2 or state changes in one sync page${events.length > shown.length ? ` (first ${shown.length} listed)` : ''}.`,
    facts: shown.map((e) => ({
      name: `${e.number} P${e.priority}`,
      value:
        e.reason === 'state-changed' ? `${stateName(e.previousState)} → ${stateName(e.state)}` : e.reason,
    })),
    connector: 'servicenow',
  };
}
