// ServiceNow activities. Outbound: one incident per event through the Import Set API, which
// coalesces on correlation_id = sha256(source_system, source_id), so concurrent and retried calls
// for one event update one incident. Inbound: one activity per keyset page of the delta sync; it
// reads the page (plus, for the few records that need it, their sys_audit rows) and returns only the
// events worth announcing and the page's last position, never the records themselves.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { glideDateTime, keysetQuery, writtenAfter, type KeysetCursor } from '../domain/cursor';
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
import { vendorCall } from './shared/failures';
import { countRecords } from './shared/recordMetrics';

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
  /**
   * The run's starting cursor: a row whose creation lies after it in keyset order is new, and only
   * audit rows after it count. Absent = first run. (A bare timestamp, sent by runs started before
   * this field held the whole cursor, means the end of that second.)
   */
  since?: KeysetCursor | string;
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
const LAST_SYS_ID = 'f'.repeat(32);

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
      const since =
        typeof request.since === 'string' ? { updatedOn: request.since, sysId: LAST_SYS_ID } : request.since;
      // Created after the cursor's position, not merely after its second: a row created later in the
      // cursor's own second (larger sys_id) was never read, so it is new.
      const isNew = (r: SnRecord) => writtenAfter(r.sys_created_on ?? '', r.sys_id ?? '', since);
      const created = records.filter(isNew).length;
      countRecords('servicenow', `sync.${request.table}`, {
        processed: records.length,
        created,
        updated: records.length - created,
      });
      const lastRecord = records[records.length - 1];
      const events =
        request.table === 'incident'
          ? await incidentEvents(sn, records, isNew, since)
          : await changeEvents(sn, records, isNew, since);
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
  since: KeysetCursor | undefined,
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
  const audits = await auditRows(sn, 'incident', ['state', 'priority'], watched, since);
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

/**
 * Changes of these fields on these records that the runs up to `since` did not read, by sys_id,
 * oldest first. An audit row written at the cursor's own second belongs to a version at (that
 * second, the record's sys_id): read already when that position is not after the cursor.
 */
async function auditRows(
  sn: ServicenowClient,
  table: SyncTable,
  fields: string[],
  records: SnRecord[],
  since: KeysetCursor,
): Promise<Map<string, SnRecord[]>> {
  const byRecord = new Map<string, SnRecord[]>();
  for (let i = 0; i < records.length; i += AUDIT_CHUNK) {
    const ids = records.slice(i, i + AUDIT_CHUNK).map((r) => r.sys_id);
    const query = `tablename=${table}^fieldnameIN${fields.join(',')}^documentkeyIN${ids.join(',')}^sys_created_on>=${since.updatedOn}^ORDERBYsys_created_on`;
    const { records: rows } = await vendorCall('servicenow', 'list.sys_audit', () =>
      sn.list('sys_audit', {
        query,
        fields: ['documentkey', 'fieldname', 'oldvalue', 'newvalue', 'sys_created_on'],
        limit: MAX_PAGE_SIZE,
      }),
    );
    for (const row of rows) {
      if (!writtenAfter(row.sys_created_on ?? '', row.documentkey ?? '', since)) continue;
      const list = byRecord.get(row.documentkey ?? '') ?? [];
      list.push(row);
      byRecord.set(row.documentkey ?? '', list);
    }
  }
  return byRecord;
}

/**
 * CAB decisions on change requests a workflow is waiting for (correlation_id = its workflow id),
 * each signalled once: a change request created after the cursor carries a decision nobody was told
 * of; an older one only when its approval changed after the cursor (sys_audit), so a later edit
 * (closing it, a comment) does not signal the same decision again.
 */
async function changeEvents(
  sn: ServicenowClient,
  records: SnRecord[],
  isNew: (r: SnRecord) => boolean,
  since: KeysetCursor | undefined,
): Promise<SyncEvent[]> {
  const decided = records.filter(
    (r) =>
      r.correlation_display === CAB_WAITER_DISPLAY &&
      r.correlation_id &&
      (r.approval === 'approved' || r.approval === 'rejected'),
  );
  const old = decided.filter((r) => !isNew(r));
  const audits =
    old.length && since ? await auditRows(sn, 'change_request', ['approval'], old, since) : undefined;
  const events: SyncEvent[] = [];
  for (const r of decided) {
    const decision = audits?.get(r.sys_id ?? '')?.at(-1);
    if (!isNew(r) && !decision) continue;
    events.push({
      kind: 'cab-decision',
      number: r.number ?? '',
      sysId: r.sys_id ?? '',
      approval: r.approval as 'approved' | 'rejected',
      workflowId: r.correlation_id ?? '',
      decidedAt: decision?.sys_created_on ?? r.sys_updated_on ?? '',
    });
  }
  return events;
}
