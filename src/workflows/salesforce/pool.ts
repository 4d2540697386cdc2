// A lease of the cross-worker Salesforce request pool (salesforceSettings) around a unit of work:
// asked for through an activity (which starts the settings workflow if needed), granted by signal,
// released by signal when the work ends, however it ends.
import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { SETTINGS_WORKFLOW_ID } from '../../domain/salesforce';
import { leaseGrantedSignal, releaseSignal } from '../salesforceSettings';

const { salesforcePoolRequest } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export type PoolLease = <T>(work: () => Promise<T>) => Promise<T>;

/** Call once at the start of a workflow: registers the grant signal, returns the lease wrapper. */
export function poolLease(holder: string): PoolLease {
  const granted = new Set<string>();
  setHandler(leaseGrantedSignal, (leaseId) => void granted.add(leaseId));
  return async (work) => {
    const leaseId = uuid4();
    await salesforcePoolRequest({ leaseId });
    await condition(() => granted.has(leaseId));
    try {
      return await work();
    } finally {
      granted.delete(leaseId);
      await getExternalWorkflowHandle(SETTINGS_WORKFLOW_ID).signal(releaseSignal, {
        workflowId: holder,
        leaseId,
      });
    }
  };
}
