// Redrive of dead-letter items with the worker's CURRENT code: `redriveDeadLetter` dispatches on the
// item's kind to a handler that writes the record again through the same idempotent path the
// producer used (employees by employee_number, incidents by correlation id), so a redrive that
// races a retry or runs twice never writes a record twice. A throw keeps the item in the queue.
import { ApplicationFailure } from '@temporalio/activity';
import type { DeadLetterItem } from '../domain/deadLetter';
import { regionOfErpnextConnector, type Region } from '../domain/employee';
import type { ErpnextEmployeeFields } from '../domain/employeeValidation';
import type { IncidentEvent } from '../domain/servicenow';
import type { ErpnextClient } from '../vendors/erpnext';
import { createEmployeeWriter, type RefusalReason } from './erpnext/writer';
import { createServicenowActivities, type ServicenowDeps } from './servicenow';
import type { SalesforceClient } from '../vendors/salesforce/client';
import { INTELLIGENCE_KIND, intelligenceRedrive, type IntelligenceRow } from './salesforce/intelligence';

export interface RedriveDeps {
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  servicenow?: ServicenowDeps;
  salesforce?: SalesforceClient;
}

export type RedriveHandler = (item: DeadLetterItem) => Promise<string>;

export function createRedriveHandlers(deps: RedriveDeps): Record<string, RedriveHandler> {
  const servicenow = createServicenowActivities(deps.servicenow ?? {});
  const salesforceRow = intelligenceRedrive(deps.salesforce);
  return {
    [INTELLIGENCE_KIND]: (item) => salesforceRow(item.payload as IntelligenceRow),
    'erpnext-employee': async (item) => {
      let refusal: RefusalReason | undefined;
      const writeEmployees = createEmployeeWriter(deps.erpnext ?? {}, {
        onFailed: async (_region, _docs, reason) => {
          refusal = reason;
        },
      });
      const counts = await writeEmployees(regionOfErpnextConnector(item.connector), [
        item.payload as ErpnextEmployeeFields,
      ]);
      if (counts.failed > 0)
        throw ApplicationFailure.create({
          message: refusal?.message ?? `bulk_update failed for employee ${item.key}`,
          type: refusal?.type ?? 'BulkUpdateFailed',
        });
      return counts.created ? 'created' : counts.updated ? 'updated' : 'unchanged';
    },
    'servicenow-incident': async (item) => {
      const ref = await servicenow.servicenowUpsertIncident(item.payload as IncidentEvent);
      return `${ref.outcome} ${ref.number}`;
    },
  };
}

export function createRedriveActivities(deps: RedriveDeps) {
  const handlers = createRedriveHandlers(deps);
  return {
    /** Processes one dead-letter item again; returns what happened, throws when it failed again. */
    async redriveDeadLetter(item: DeadLetterItem): Promise<{ id: string; outcome: string }> {
      const handler = handlers[item.kind];
      if (!handler)
        throw ApplicationFailure.create({
          message: `no redrive handler for kind ${item.kind}; known: ${Object.keys(handlers).join(', ')}`,
          type: 'UnknownDeadLetterKind',
          nonRetryable: true,
        });
      if (item.payload === undefined)
        throw ApplicationFailure.create({
          message: `${item.id} holds its payload by reference (${item.payloadRef ?? 'none'}); redrive it at the source`,
          type: 'PayloadByReference',
          nonRetryable: true,
        });
      return { id: item.id, outcome: await handler(item) };
    },
  };
}
