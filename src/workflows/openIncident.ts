// openIncident: the one path every workflow uses to raise (or update, or resolve) a ServiceNow
// incident for one of our events. Call it inline from any workflow (`await openIncident(event)`)
// or start it as a workflow of its own. The Import Set coalesces on correlation_id, so concurrent
// and retried calls for the same event leave exactly one incident.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IncidentEvent, IncidentRef } from '../domain/servicenow';

const servicenow = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 20,
  },
});

export async function openIncident(event: IncidentEvent): Promise<IncidentRef> {
  return servicenow.servicenowUpsertIncident(event);
}
