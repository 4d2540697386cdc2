// openIncident: how a workflow raises (or updates, or resolves) a ServiceNow incident for one of
// our events. Start `openIncident` as a workflow of its own (it checks its input and tags itself like
// every workflow); from inside a workflow call `raiseIncident`. (The certificate renewal calls the
// same upsert activity directly, because its ladder records each attempt's outcome itself.) The
// Import Set coalesces on correlation_id, so concurrent and retried calls for the same event
// leave exactly one incident. `raiseIncident` is the
// best-effort form for workflows whose own alert already went out: an event ServiceNow would not
// take after all retries goes to `dlq-servicenow` for a redrive instead of being lost.
import type { Activities } from '../activities';
import { ActivityFailure } from '@temporalio/workflow';
import type { IncidentEvent, IncidentRef } from '../domain/servicenow';
import { deadLetterErrorOf } from '../domain/deadLetter';
import { deadLetterFromWorkflow } from './shared/deadLetters';
import { vendorActivities } from './shared/vendorActivities';
import { openIncidentInput } from '../domain/inputs/platform';
import { beginRun, dropUnknownSignals } from './shared/runStart';

const servicenow = vendorActivities('servicenow', {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 20,
  },
});

/** Started as a workflow of its own; inline callers use `raiseIncident`. */
export async function openIncident(raw: IncidentEvent): Promise<IncidentRef> {
  const event = beginRun(openIncidentInput, raw, (e) => ({
    connector: 'servicenow',
    details: `ServiceNow incident for ${e.sourceSystem} event ${e.sourceId}: ${e.title}`,
  }));
  dropUnknownSignals();
  return servicenow.servicenowUpsertIncident(event);
}

type UpsertIncident = Pick<Activities, 'servicenowUpsertIncident'>;

/** Upserts the incident; on failure dead-letters the event (unless ServiceNow is not configured). */
export async function raiseIncident(
  event: IncidentEvent,
  api: UpsertIncident = servicenow,
): Promise<IncidentRef | undefined> {
  try {
    return await api.servicenowUpsertIncident(event);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    if (deadLetterErrorOf(err).type === 'NotConfigured') return undefined;
    await deadLetterFromWorkflow({
      connector: 'servicenow',
      kind: 'servicenow-incident',
      key: `${event.sourceSystem}:${event.sourceId}`,
      payload: event,
      err,
    });
    return undefined;
  }
}
