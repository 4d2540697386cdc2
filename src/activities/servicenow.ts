// ServiceNow activities. Outbound: one incident per event through the Import Set API, which
// coalesces on correlation_id = sha256(source_system, source_id), so concurrent and retried calls
// for one event update one incident. Inbound: one activity per keyset page of the delta sync; it
// reads the page (plus, for the few records that need it, their sys_audit rows) and returns only the
// events worth announcing and the page's last position, never the records themselves.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { glideDateTime, keysetQuery, type KeysetCursor } from '../domain/cursor';
import {
  CAB_WAITER_DISPLAY,
  INCIDENT_SOURCE_DISPLAY,
  SEVERITY_IMPACT_URGENCY,
  isUrgent,
  validateIncidentEvent,
  type ChangeRequestDraft,
  type IncidentEvent,
  type IncidentRef,
  type SyncEvent,
  type SyncTable,
} from '../domain/servicenow';
import type { ServicenowClient, SnRecord } from '../vendors/servicenow';
import { vendorCall } from './failures';
import { countRecords } from './recordMetrics';

export interface ServicenowDeps {
  client?: ServicenowClient;
  /** Sees every page's records (metrics, tests); never part of an activity result. */
  observe?: (table: SyncTable, records: SnRecord[]) => void;
}

export interface SyncPageRequest {
  table: SyncTable;
  /** Position after which this page starts; absent = from the beginning. */
  after?: KeysetCursor;
  /** Exclusive upper bound on sys_updated_on (UTC). */
  horizon: string;
  pageSize: number;
  /** sys_updated_on of the run's starting cursor: rows created after it are new. Absent = first run. */
  since?: string;
}

export interface SyncPageResult {
  records: number;
  created: number;
  changed: number;
  /** Last row of the page; absent when the page is empty. */
  last?: KeysetCursor;
  /** The page was full: there may be more. */
  full: boolean;
  events: SyncEvent[];
}

export const STAGING_TABLE = 'u_imp_incident';
const MAX_PAGE_SIZE = 10_000;
const AUDIT_CHUNK = 100;

const FIELDS: Record<SyncTable, string[]> = {
  incident: [
    'sys_id',
    'number',
    'short_description',
    'state',
    'priority',
    'correlation_display',
    'sys_created_on',
    'sys_updated_on',
    'sys_mod_count',
  ],
  change_request: [
    'sys_id',
    'number',
    'approval',
    'correlation_id',
    'correlation_display',
    'sys_created_on',
    'sys_updated_on',
  ],
};

/** The dedupe key of an externally raised incident: stable for one (source system, source id). */
export function incidentCorrelationId(sourceSystem: string, sourceId: string): string {
  return createHash('sha256').update(`${sourceSystem}\u0000${sourceId}`).digest('hex');
}

export function createServicenowActivities(deps: ServicenowDeps) {
  const client = (): ServicenowClient => {
    if (deps.client) return deps.client;
    throw ApplicationFailure.create({
      message: 'ServiceNow is not configured (SERVICENOW_URL, SERVICENOW_USERNAME, SERVICENOW_PASSWORD)',
      type: 'NotConfigured',
      nonRetryable: true,
    });
  };

  return {
    async servicenowUpsertIncident(event: IncidentEvent): Promise<IncidentRef> {
      const problems = validateIncidentEvent(event);
      if (problems.length)
        throw ApplicationFailure.create({
          message: problems.join('; '),
          type: 'InvalidRequest',
          nonRetryable: true,
        });
      const sn = client();
      const correlationId = incidentCorrelationId(event.sourceSystem, event.sourceId);
      const { impact, urgency } = SEVERITY_IMPACT_URGENCY[event.severity];
      const row: Record<string, string> = {
        u_correlation_id: correlationId,
        u_source: INCIDENT_SOURCE_DISPLAY,
        u_short_description: event.title.slice(0, 160),
        u_description:
          `${event.description ?? ''}\n\nRaised by ${event.sourceSystem}, event ${event.sourceId}.`.trim(),
        u_impact: impact,
        u_urgency: urgency,
        ...(event.category ? { u_category: event.category } : {}),
        ...(event.assignmentGroup ? { u_assignment_group: event.assignmentGroup } : {}),
      };
      // An open event never resets the state: an agent may have moved the incident on.
      if (event.status === 'resolved') {
        Object.assign(row, {
          u_state: '6',
          u_close_code: 'Solved (Permanently)',
          u_close_notes: `Resolved by ${event.sourceSystem}: the event cleared.`,
        });
      }
      const result = await vendorCall(
        'servicenow',
        'import.incident',
        () => sn.importRow(STAGING_TABLE, row),
        {
          audit: correlationId,
        },
      );
      if (result.status !== 'inserted' && result.status !== 'updated' && result.status !== 'ignored') {
        throw ApplicationFailure.create({
          message: `Import Set transform ${result.status}: ${result.errorMessage ?? 'no message'}`,
          type: 'InvalidRequest',
          nonRetryable: true,
        });
      }
      return { correlationId, number: result.number, sysId: result.sysId, outcome: result.status };
    },

    /**
     * The sync's upper bound: ServiceNow's own clock minus the settle time, to the second. Taken
     * from the instance, so clock skew between worker and instance cannot move the window.
     */
    async servicenowUpsertChangeRequest(
      draft: ChangeRequestDraft,
    ): Promise<{ number: string; sysId: string }> {
      const sn = client();
      // One change request per waiting workflow: a retry finds the one it created.
      const query = `correlation_id=${draft.waiterWorkflowId}^correlation_display=${CAB_WAITER_DISPLAY}`;
      const existing = await vendorCall('servicenow', 'list.change_request', () =>
        sn.list('change_request', { query, fields: ['sys_id', 'number'], limit: 1 }),
      );
      const found = existing.records[0];
      if (found) return { number: String(found.number), sysId: String(found.sys_id) };
      const created = await vendorCall(
        'servicenow',
        'create.change_request',
        () =>
          sn.create('change_request', {
            correlation_id: draft.waiterWorkflowId,
            correlation_display: CAB_WAITER_DISPLAY,
            short_description: draft.title.slice(0, 160),
            description: draft.description,
            type: 'normal',
            risk: '2',
            approval: 'requested',
          }),
        { audit: draft.waiterWorkflowId },
      );
      return { number: String(created.number), sysId: String(created.sys_id) };
    },

    async servicenowCloseChangeRequest(change: {
      sysId: string;
      outcome: 'successful' | 'cancelled';
    }): Promise<void> {
      const sn = client();
      await vendorCall(
        'servicenow',
        'update.change_request',
        () =>
          sn.update('change_request', change.sysId, {
            state: change.outcome === 'successful' ? '3' : '4',
            close_code: change.outcome === 'successful' ? 'successful' : 'unsuccessful',
            close_notes: `Closed by the certificate renewal workflow: ${change.outcome}.`,
          }),
        { audit: change.sysId },
      );
    },

    async servicenowSyncHorizon(settleSeconds: number): Promise<string> {
      const sn = client();
      const now = await vendorCall('servicenow', 'clock', () => sn.serverTime());
      return glideDateTime(now.getTime() - Math.max(0, settleSeconds) * 1000);
    },

    async servicenowSyncPage(request: SyncPageRequest): Promise<SyncPageResult> {
      const sn = client();
      const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(request.pageSize)));
      const { records } = await vendorCall('servicenow', `list.${request.table}`, () =>
        sn.list(request.table, {
          query: keysetQuery(request.after, request.horizon),
          fields: FIELDS[request.table],
          limit: pageSize,
        }),
      );
      deps.observe?.(request.table, records);
      const isNew = (r: SnRecord) => request.since === undefined || (r.sys_created_on ?? '') > request.since;
      const created = records.filter(isNew).length;
      countRecords('servicenow', `sync.${request.table}`, {
        processed: records.length,
        created,
        updated: records.length - created,
      });
      const lastRecord = records[records.length - 1];
      const events =
        request.table === 'incident'
          ? await incidentEvents(sn, records, isNew, request.since)
          : changeEvents(records);
      return {
        records: records.length,
        created,
        changed: records.length - created,
        last: lastRecord
          ? { updatedOn: lastRecord.sys_updated_on ?? '', sysId: lastRecord.sys_id ?? '' }
          : undefined,
        full: records.length === pageSize,
        events,
      };
    },
  };
}

/** New P1/P2 incidents; state changes and escalations of P1/P2 incidents and of the ones we opened. */
async function incidentEvents(
  sn: ServicenowClient,
  records: SnRecord[],
  isNew: (r: SnRecord) => boolean,
  since: string | undefined,
): Promise<SyncEvent[]> {
  const ours = (r: SnRecord) => r.correlation_display === INCIDENT_SOURCE_DISPLAY;
  const event = (
    r: SnRecord,
    reason: 'opened' | 'state-changed' | 'escalated',
    previousState?: string,
  ): SyncEvent => ({
    kind: 'incident',
    reason,
    number: r.number ?? '',
    sysId: r.sys_id ?? '',
    priority: r.priority ?? '',
    state: r.state ?? '',
    previousState,
    shortDescription: (r.short_description ?? '').slice(0, 200),
    ours: ours(r),
  });
  const events: SyncEvent[] = [];
  const watched: SnRecord[] = [];
  for (const r of records) {
    if (isNew(r)) {
      if (isUrgent(r.priority)) events.push(event(r, 'opened'));
    } else if (isUrgent(r.priority) || ours(r)) {
      watched.push(r);
    }
  }
  if (watched.length === 0 || since === undefined) return events;
  const audits = await auditRows(sn, watched, since);
  for (const r of watched) {
    const rows = (audits.get(r.sys_id ?? '') ?? []).filter(
      (a) => (a.sys_created_on ?? '') <= (r.sys_updated_on ?? ''),
    );
    const states = rows.filter((a) => a.fieldname === 'state');
    const firstState = states[0];
    if (firstState && firstState.oldvalue !== r.state) {
      events.push(event(r, 'state-changed', firstState.oldvalue));
      continue;
    }
    const raised = rows.some(
      (a) => a.fieldname === 'priority' && isUrgent(a.newvalue) && !isUrgent(a.oldvalue),
    );
    if (raised && isUrgent(r.priority)) events.push(event(r, 'escalated'));
  }
  return events;
}

/** State and priority changes of these incidents since `since`, by sys_id, oldest first. */
async function auditRows(
  sn: ServicenowClient,
  records: SnRecord[],
  since: string,
): Promise<Map<string, SnRecord[]>> {
  const byRecord = new Map<string, SnRecord[]>();
  for (let i = 0; i < records.length; i += AUDIT_CHUNK) {
    const ids = records.slice(i, i + AUDIT_CHUNK).map((r) => r.sys_id);
    const query = `tablename=incident^fieldnameINstate,priority^documentkeyIN${ids.join(',')}^sys_created_on>=${since}^ORDERBYsys_created_on`;
    const { records: rows } = await vendorCall('servicenow', 'list.sys_audit', () =>
      sn.list('sys_audit', {
        query,
        fields: ['documentkey', 'fieldname', 'oldvalue', 'newvalue', 'sys_created_on'],
        limit: MAX_PAGE_SIZE,
      }),
    );
    for (const row of rows) {
      const list = byRecord.get(row.documentkey ?? '') ?? [];
      list.push(row);
      byRecord.set(row.documentkey ?? '', list);
    }
  }
  return byRecord;
}

/** CAB decisions on change requests a workflow is waiting for (correlation_id = its workflow id). */
function changeEvents(records: SnRecord[]): SyncEvent[] {
  const events: SyncEvent[] = [];
  for (const r of records) {
    const approval = r.approval;
    if (r.correlation_display !== CAB_WAITER_DISPLAY || !r.correlation_id) continue;
    if (approval !== 'approved' && approval !== 'rejected') continue;
    events.push({
      kind: 'cab-decision',
      number: r.number ?? '',
      sysId: r.sys_id ?? '',
      approval,
      workflowId: r.correlation_id,
      decidedAt: r.sys_updated_on ?? '',
    });
  }
  return events;
}
