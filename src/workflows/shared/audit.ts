// Audit lines from workflow code: workflows cannot do I/O, so events go to the worker's `audit`
// sink (registered with callDuringReplay: false, so a replay never writes a line twice). The
// actor of a run is the schedule that started it (TemporalScheduledById) or `workflow`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import type { AuditEvent } from '../../domain/audit';
import { CONNECTOR_KEY } from '../../domain/search-attributes';

export interface AuditSinks extends Sinks {
  audit: { record(event: AuditEvent): void };
}

/** Set by Temporal on every run a schedule starts. */
export const SCHEDULED_BY_KEY = defineSearchAttributeKey(
  'TemporalScheduledById',
  SearchAttributeType.KEYWORD,
);

const { audit } = proxySinks<AuditSinks>();

export function workflowActor(): string {
  const scheduledBy = workflowInfo().typedSearchAttributes.get(SCHEDULED_BY_KEY);
  return scheduledBy ? `schedule:${scheduledBy}` : 'workflow';
}

export function workflowConnector(): string {
  return workflowInfo().typedSearchAttributes.get(CONNECTOR_KEY) ?? 'platform';
}

/** Writes one audit line for this run; actor and connector default to the run's own. */
export function auditEvent(
  event: Omit<AuditEvent, 'actor' | 'connector'> & { actor?: string; connector?: string },
): void {
  audit.record({
    ...event,
    actor: event.actor ?? workflowActor(),
    connector: event.connector ?? workflowConnector(),
  });
}
