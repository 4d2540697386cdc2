// Workday delta import over SOAP, one activity per Get_Workers page: fetches the page of workers
// changed in [updatedFrom, updatedThrough] as of one pinned moment, validates each with the export
// contract's rules (the same as the SFTP full import), quarantines invalid ones to a file (by
// reference, never in history), and upserts the valid ones into the ERPNext of their region with the
// shared employee writer (read before write: a retried page updates, never duplicates).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  reasonKey,
  type QuarantineEntry,
  type ReasonCounts,
  type Region,
  type RegionCounts,
} from '../domain/employee';
import { employeeRegion, toErpnextEmployee, type ErpnextEmployeeFields } from '../domain/employeeValidation';
import { validateWorker } from '../domain/workdayWorker';
import type { ErpnextClient } from '../vendors/erpnext';
import { MAX_PAGE_COUNT, type WorkdayClient } from '../vendors/workday';
import { deadLetterFailedEmployees } from './employeeDeadLetters';
import { createRegionMover } from './employeeRegionMove';
import { createEmployeeWriter } from './employeeWriter';
import { vendorCall } from './failures';
import { countRecords } from './recordMetrics';

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
}

export interface DeltaPageResult {
  page: number;
  totalPages: number;
  totalResults: number;
  read: number;
  valid: number;
  invalid: number;
  reasons: ReasonCounts;
  regions: Record<Region, RegionCounts>;
  /** Where this page's quarantined workers were written, when it had any. */
  quarantineRef?: string;
}

function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function createWorkdayDeltaActivities(deps: WorkdayDeltaDeps) {
  const upsertRegion = createEmployeeWriter(deps.erpnext ?? {}, {
    onFailed: deadLetterFailedEmployees(deps.deadLetterRetention),
  });
  const removeFromOtherRegions = createRegionMover(deps.erpnext ?? {});

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

      const quarantined: (QuarantineEntry & { employeeId?: string })[] = [];
      const docs: Record<Region, ErpnextEmployeeFields[]> = { eu: [], us: [] };
      const seen = new Set<string>();
      let valid = 0;
      // The position in the whole result set plays the role of the CSV's line number.
      const firstPosition = (input.page - 1) * count + 1;
      result.workers.forEach((worker, i) => {
        const position = firstPosition + i;
        const checked = validateWorker(worker, position);
        if (!checked.ok) {
          for (const e of checked.errors) quarantined.push({ ...e, employeeId: worker.employeeId });
          return;
        }
        if (seen.has(checked.record.employeeId)) {
          quarantined.push({
            line: position,
            field: 'Employee_ID',
            reason: 'duplicate in page',
            employeeId: checked.record.employeeId,
          });
          return;
        }
        seen.add(checked.record.employeeId);
        valid++;
        docs[employeeRegion(checked.record)].push(toErpnextEmployee(checked.record));
      });

      const regions = { eu: await upsertRegion('eu', docs.eu), us: await upsertRegion('us', docs.us) };
      const movedIn = await removeFromOtherRegions({
        eu: docs.eu.map((d) => d.employee_number),
        us: docs.us.map((d) => d.employee_number),
      });
      regions.eu.movedIn = movedIn.eu;
      regions.us.movedIn = movedIn.us;
      Context.current().heartbeat({ page: input.page, written: valid });

      const reasons: ReasonCounts = {};
      for (const e of quarantined) reasons[reasonKey(e)] = (reasons[reasonKey(e)] ?? 0) + 1;
      let quarantineRef: string | undefined;
      if (quarantined.length > 0) {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'standalone';
        const dir = path.join(deps.quarantineDir ?? path.join('data', 'quarantine'), safeName(workflowId));
        // Named by window and page: a retried page overwrites its own quarantine, never adds to it.
        quarantineRef = path.join(
          dir,
          `delta.${safeName(input.updatedFrom)}.${safeName(input.updatedThrough)}.p${input.page}.jsonl`,
        );
        await mkdir(dir, { recursive: true });
        await writeFile(
          quarantineRef,
          quarantined
            .map((q) => JSON.stringify({ source: 'workday-soap', page: input.page, ...q }))
            .join('\n') + '\n',
        );
      }
      const invalid = new Set(quarantined.map((q) => q.line)).size;
      countRecords('workday', 'employee.delta', {
        processed: result.workers.length,
        invalid,
        created: regions.eu.created + regions.us.created,
        updated: regions.eu.updated + regions.us.updated,
        unchanged: regions.eu.unchanged + regions.us.unchanged,
        failed: regions.eu.failed + regions.us.failed,
      });
      return {
        page: input.page,
        totalPages: result.totalPages,
        totalResults: result.totalResults,
        read: result.workers.length,
        valid,
        invalid,
        reasons,
        regions,
        quarantineRef,
      };
    },
  };
}
