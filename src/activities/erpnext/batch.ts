// What the full import's batches and the delta's pages share: collect validated employees per
// region (quarantining invalid rows and ids repeated within the batch), then write them (regions
// concurrently, moves between regions, refused employees dead-lettered), write the quarantine file
// and count the records. The file is named by the caller so a retried batch overwrites its own.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import {
  emptyRegionCounts,
  reasonKey,
  type QuarantineEntry,
  type ReasonCounts,
  type Region,
  type RegionCounts,
} from '../../domain/employee';
import {
  employeeRegion,
  toErpnextEmployee,
  type EmployeeRecord,
  type ErpnextEmployeeFields,
} from '../../domain/employeeValidation';
import type { ErpnextClient } from '../../vendors/erpnext';
import { deadLetterFailedEmployees } from './deadLetters';
import { createRegionMover } from './regionMove';
import { createEmployeeWriter } from './writer';
import { countRecords } from '../shared/recordMetrics';

export type QuarantinedRow = QuarantineEntry & { employeeId?: string; firstLine?: number };

export class EmployeeBatch {
  readonly quarantined: QuarantinedRow[] = [];
  readonly docs: Record<Region, ErpnextEmployeeFields[]> = { eu: [], us: [] };
  private readonly seen = new Set<string>();

  quarantine(entry: QuarantinedRow): void {
    this.quarantined.push(entry);
  }

  /** Takes a valid record unless its id already came earlier in this batch (`repeatReason`). */
  accept(record: EmployeeRecord, line: number, repeatReason: string): void {
    if (this.seen.has(record.employeeId)) {
      this.quarantine({ line, field: 'Employee_ID', reason: repeatReason, employeeId: record.employeeId });
      return;
    }
    this.seen.add(record.employeeId);
    this.docs[employeeRegion(record)].push(toErpnextEmployee(record));
  }

  get valid(): number {
    return this.docs.eu.length + this.docs.us.length;
  }
}

/** The counts a batch or page reports (no personal data: this goes into workflow history). */
export interface WrittenBatch {
  valid: number;
  invalid: number;
  reasons: ReasonCounts;
  regions: Record<Region, RegionCounts>;
  /** Where the quarantined rows were written, when there were any. */
  quarantineRef?: string;
}

export interface BatchWriterDeps {
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  quarantineDir?: string;
  deadLetterRetention?: string;
}

function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function createBatchWriter(deps: BatchWriterDeps) {
  const upsertRegion = createEmployeeWriter(deps.erpnext ?? {}, {
    onFailed: deadLetterFailedEmployees(deps.deadLetterRetention),
  });
  const removeFromOtherRegions = createRegionMover(deps.erpnext ?? {});
  const deadLetter = deadLetterFailedEmployees(deps.deadLetterRetention);
  // A region whose breaker is open is not called: its employees wait in its dead-letter queue.
  const deferRegion = async (region: Region, docs: ErpnextEmployeeFields[]): Promise<RegionCounts> => {
    await deadLetter(region, docs, {
      type: 'BreakerOpen',
      message: 'not sent while its circuit breaker was open; redrive once it closed',
    });
    return { ...emptyRegionCounts(), failed: docs.length };
  };

  return async function writeBatch(
    batch: EmployeeBatch,
    report: { operation: string; processed: number; quarantineName: string; quarantineTag: object },
    deferRegions: readonly Region[] = [],
  ): Promise<WrittenBatch> {
    const write = (region: Region) =>
      deferRegions.includes(region)
        ? deferRegion(region, batch.docs[region])
        : upsertRegion(region, batch.docs[region]);
    // The regions are separate ERPNext sites: written concurrently.
    const [eu, us] = await Promise.all([write('eu'), write('us')]);
    const movedIn = await removeFromOtherRegions(
      {
        eu: batch.docs.eu.map((d) => d.employee_number),
        us: batch.docs.us.map((d) => d.employee_number),
      },
      deferRegions,
    );
    const regions = { eu: { ...eu, movedIn: movedIn.eu }, us: { ...us, movedIn: movedIn.us } };

    const reasons: ReasonCounts = {};
    for (const e of batch.quarantined) reasons[reasonKey(e)] = (reasons[reasonKey(e)] ?? 0) + 1;
    let quarantineRef: string | undefined;
    if (batch.quarantined.length > 0) {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'standalone';
      const dir = path.join(deps.quarantineDir ?? path.join('data', 'quarantine'), safeName(workflowId));
      quarantineRef = path.join(dir, `${safeName(report.quarantineName)}.jsonl`);
      await mkdir(dir, { recursive: true });
      await writeFile(
        quarantineRef,
        batch.quarantined.map((q) => JSON.stringify({ ...report.quarantineTag, ...q })).join('\n') + '\n',
      );
    }
    const invalid = new Set(batch.quarantined.map((q) => q.line)).size;
    countRecords('workday', report.operation, {
      processed: report.processed,
      invalid,
      created: eu.created + us.created,
      updated: eu.updated + us.updated,
      unchanged: eu.unchanged + us.unchanged,
      failed: eu.failed + us.failed,
    });
    return { valid: batch.valid, invalid, reasons, regions, quarantineRef };
  };
}
