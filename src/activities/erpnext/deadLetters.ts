// Employees that ERPNext refused (an insert it answered 417, or a document bulk_update reported as
// failed) go to the dead-letter queue of their region's connector (kind `erpnext-employee`, key
// employee_number), so an operator can redrive them once the cause is fixed. Runs inside the import activity: its workflow is the item's source.
import { Context } from '@temporalio/activity';
import type { Duration } from '@temporalio/common';
import { deadLetterError } from '../../domain/deadLetter';
import { erpnextConnectorFor, type Region } from '../../domain/employee';
import type { ErpnextEmployeeFields } from '../../domain/employeeValidation';
import type { RefusalReason } from './writer';
import { countDeadLettered, fromCurrentActivity, sendToDeadLetter } from '../deadLetter';

export const EMPLOYEE_DEAD_LETTER_KIND = 'erpnext-employee';

/** `retention` is an ms-style duration (`7 days`) from the worker's config. */
export function deadLetterFailedEmployees(retention?: string) {
  return async (region: Region, failed: ErpnextEmployeeFields[], reason?: RefusalReason): Promise<void> => {
    if (failed.length === 0) return;
    const ctx = Context.current();
    const connector = erpnextConnectorFor(region);
    const items = fromCurrentActivity(
      failed.map((doc) => ({
        connector,
        kind: EMPLOYEE_DEAD_LETTER_KIND,
        key: doc.employee_number,
        payload: doc,
        error: reason
          ? deadLetterError(reason.type, [
              `ERPNext refused employee ${doc.employee_number}: ${reason.message}`,
            ])
          : deadLetterError('BulkUpdateFailed', [
              `frappe.client.bulk_update reported employee ${doc.employee_number} as failed`,
            ]),
      })),
    );
    await sendToDeadLetter(ctx.client, ctx.info.taskQueue, items, retention as Duration | undefined);
    countDeadLettered(items);
  };
}
