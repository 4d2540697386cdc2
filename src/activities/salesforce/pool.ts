// The settings workflow's outside world: ServiceNow's CAB decision on a change request (the same
// change_request records the ServiceNow sync signals `cabDecision` from), and signal-with-start of
// the settings workflow so a lease request finds it running.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { CONNECTOR_KEY } from '../../domain/search-attributes';
import {
  ACCOUNT_SYNC_WORKFLOW_ID,
  SALESFORCE_CONNECTOR,
  SETTINGS_WORKFLOW_ID,
} from '../../domain/salesforce';
import type { ServicenowClient } from '../../vendors/servicenow';
import { vendorCall } from '../shared/failures';

export interface CabCheck {
  changeNumber: string;
  found: boolean;
  /** ServiceNow's `approval` of the change request: approved, rejected, requested, not yet requested. */
  approval?: string;
  approved: boolean;
}

export function createSalesforcePoolActivities(deps: { servicenow?: ServicenowClient }) {
  return {
    /** Whether CAB approved the change request (ServiceNow change_request.approval). */
    async salesforceCabApproval(request: { changeNumber: string }): Promise<CabCheck> {
      const sn = deps.servicenow;
      if (!sn)
        throw ApplicationFailure.create({
          message: 'ServiceNow is not configured: CAB approval cannot be checked',
          type: 'NotConfigured',
          nonRetryable: true,
        });
      const { records } = await vendorCall('servicenow', 'list.change_request', () =>
        sn.list('change_request', {
          query: `number=${request.changeNumber}`,
          fields: ['number', 'approval'],
          limit: 1,
        }),
      );
      const approval = records[0]?.approval as string | undefined;
      return {
        changeNumber: request.changeNumber,
        found: records.length > 0,
        approval,
        approved: approval === 'approved',
      };
    },

    /** Wakes the singleton Account sync (starting it when it is not running): the schedule's kick. */
    async salesforceWakeSync(): Promise<void> {
      const ctx = Context.current();
      await ctx.client.workflow.signalWithStart('salesforceAccountSync', {
        workflowId: ACCOUNT_SYNC_WORKFLOW_ID,
        taskQueue: ctx.info.taskQueue,
        args: [{}],
        signal: 'wake',
        signalArgs: [],
        typedSearchAttributes: [{ key: CONNECTOR_KEY, value: SALESFORCE_CONNECTOR }],
      });
    },

    /** Asks the settings workflow (started if needed) for a pool lease; the grant comes as a signal. */
    async salesforcePoolRequest(request: { leaseId: string }): Promise<void> {
      const ctx = Context.current();
      const holder = ctx.info.workflowExecution?.workflowId ?? 'standalone';
      await ctx.client.workflow.signalWithStart('salesforceSettings', {
        workflowId: SETTINGS_WORKFLOW_ID,
        taskQueue: ctx.info.taskQueue,
        args: [{}],
        signal: 'acquire',
        signalArgs: [{ workflowId: holder, leaseId: request.leaseId }],
        typedSearchAttributes: [{ key: CONNECTOR_KEY, value: SALESFORCE_CONNECTOR }],
      });
    },
  };
}
