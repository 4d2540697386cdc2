// Workday delta import over SOAP, one activity per Get_Workers page: fetches the page of workers
// changed in [updatedFrom, updatedThrough] as of one pinned moment, validates each with the export
// contract's rules (the same as the SFTP full import), quarantines invalid ones to a file (by
// reference, never in history), and upserts the valid ones into the ERPNext of their region with the
// shared employee writer (read before write: a retried page updates, never duplicates).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Region } from '../../domain/employee';
import { validateWorker } from '../../domain/workdayWorker';
import type { ErpnextClient } from '../../vendors/erpnext';
import { MAX_PAGE_COUNT, type WorkdayClient } from '../../vendors/workday';
import { createBatchWriter, EmployeeBatch, type WrittenBatch } from '../erpnext/batch';
import { vendorCall } from '../shared/failures';

export interface WorkdayDeltaDeps {
  client?: WorkdayClient;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  quarantineDir?: string;
  /** Retention of the dead-letter queues that refused employees go to (DLQ_RETENTION). */
  deadLetterRetention?: string;
}

export interface DeltaPageInput {
  /** Transaction-log window (entry moments), ISO date-times. */
  updatedFrom: string;
  updatedThrough: string;
  /** The as-of moment every page of one run uses, so the pages come from one snapshot. */
  asOf: string;
  /** 1-based. */
  page: number;
  /** Workers per page, default and at most 999. */
  count?: number;
  /** Regions whose breaker is open: their employees go to their dead-letter queue instead. */
  deferRegions?: Region[];
}

export interface DeltaPageResult extends WrittenBatch {
  page: number;
  totalPages: number;
  totalResults: number;
  read: number;
}

export function createWorkdayDeltaActivities(deps: WorkdayDeltaDeps) {
  const writeBatch = createBatchWriter(deps);

  return {
    /** One Get_Workers page of a delta window, validated and upserted per region. */
    async workdayDeltaPage(input: DeltaPageInput): Promise<DeltaPageResult> {
      const client = deps.client;
      if (!client)
        throw ApplicationFailure.nonRetryable(
          'Workday SOAP is not configured (WORKDAY_SOAP_*)',
          'NotConfigured',
        );
      for (const [field, value] of Object.entries({
        updatedFrom: input.updatedFrom,
        updatedThrough: input.updatedThrough,
        asOf: input.asOf,
      })) {
        if (Number.isNaN(Date.parse(value)))
          throw ApplicationFailure.nonRetryable(`${field} must be an ISO date-time`, 'InvalidInput');
      }
      if (!Number.isInteger(input.page) || input.page < 1)
        throw ApplicationFailure.nonRetryable('page must be a whole number from 1', 'InvalidInput');
      const count = Math.min(Math.max(1, Math.trunc(input.count ?? MAX_PAGE_COUNT)), MAX_PAGE_COUNT);

      const result = await vendorCall('workday', 'Get_Workers', () =>
        client.getWorkers({
          updatedFrom: input.updatedFrom,
          updatedThrough: input.updatedThrough,
          asOf: input.asOf,
          page: input.page,
          count,
        }),
      );
      Context.current().heartbeat({ page: input.page, fetched: result.workers.length });

      const batch = new EmployeeBatch();
      // The position in the whole result set plays the role of the CSV's line number.
      const firstPosition = (input.page - 1) * count + 1;
      result.workers.forEach((worker, i) => {
        const position = firstPosition + i;
        const checked = validateWorker(worker, position);
        if (!checked.ok) {
          for (const e of checked.errors) batch.quarantine({ ...e, employeeId: worker.employeeId });
          return;
        }
        batch.accept(checked.record, position, 'duplicate in page');
      });
      const written = await writeBatch(
        batch,
        {
          operation: 'employee.delta',
          processed: result.workers.length,
          // Named by window and page: a retried page overwrites its own quarantine, never adds to it.
          quarantineName: `delta.${input.updatedFrom}.${input.updatedThrough}.p${input.page}`,
          quarantineTag: { source: 'workday-soap', page: input.page },
        },
        input.deferRegions,
      );
      Context.current().heartbeat({ page: input.page, written: written.valid });
      return {
        page: input.page,
        totalPages: result.totalPages,
        totalResults: result.totalResults,
        read: result.workers.length,
        ...written,
      };
    },
  };
}
