// workdayEmployeeImport: the nightly full import of the Workday worker export (SFTP CSV) into ERPNext.
// Picks the newest export, gates schema drift (unknown columns: governance notice; missing required
// columns: notify and wait for a human's `driftDecision` with a timeout), then processes the file in
// batches (one activity per batch, resuming by byte offset), and returns a per-region report.
// Quarantined rows stay in files (by reference); the history carries counts only.
import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import type { ExportInspection } from '../activities/workday';
import {
  addReasonCounts,
  addRegionCounts,
  detectDrift,
  emptyRegionCounts,
  type DriftDecision,
  type ReasonCounts,
  type Region,
  type RegionCounts,
} from '../domain/employee';
import { refreshInputForDrift } from '../domain/tableau';
import { announce } from './announce';
import { connectorAttributes } from './childAttributes';
import { tableauExtractRefresh } from './tableauExtractRefresh';

export interface WorkdayEmployeeImportInput {
  mode: 'full' | 'delta';
  /** A named export instead of the newest one. */
  file?: string;
  batchSize?: number;
  /** How long a missing required column waits for a decision (default 24 hours). */
  driftDecisionTimeout?: Duration;
  /** Start a Tableau extract refresh when the export has new columns (default true). */
  refreshTableauOnDrift?: boolean;
  /** Polling of that refresh's jobs (defaults: Tableau workflow's own). */
  tableauPolling?: { pollInitialSeconds?: number; pollMaxSeconds?: number };
  /** Carried over continue-as-new; not for operators. */
  resume?: ImportProgress;
}

export interface ImportProgress {
  inspection: ExportInspection;
  decision?: DriftDecision;
  offset: number;
  line: number;
  report: WorkdayImportReport;
  startedAt: number;
}

export interface WorkdayImportReport {
  outcome: 'completed' | 'aborted' | 'drift-timeout' | 'running';
  file?: string;
  read: number;
  valid: number;
  invalid: number;
  invalidReasons: ReasonCounts;
  regions: Record<Region, RegionCounts>;
  drift: { unknownColumns: string[]; missingRequired: string[]; decision?: { who: string; action: string } };
  /** The Tableau refresh started because of new columns, if any. */
  tableauRefresh?: string;
  /** Files holding the quarantined rows (line, field, reason); at most the first 20 are listed. */
  quarantineRefs: string[];
  batches: number;
  durationMs: number;
}

export const driftDecisionSignal = defineSignal<[DriftDecision]>('driftDecision');
export const importProgressQuery = defineQuery<WorkdayImportReport>('progress');

const workday = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});

const MAX_QUARANTINE_REFS = 20;
const BATCHES_PER_RUN = 400;

function emptyReport(): WorkdayImportReport {
  return {
    outcome: 'running',
    read: 0,
    valid: 0,
    invalid: 0,
    invalidReasons: {},
    regions: { eu: emptyRegionCounts(), us: emptyRegionCounts() },
    drift: { unknownColumns: [], missingRequired: [] },
    quarantineRefs: [],
    batches: 0,
    durationMs: 0,
  };
}

export async function workdayEmployeeImport(input: WorkdayEmployeeImportInput): Promise<WorkdayImportReport> {
  if (input?.mode !== 'full')
    throw ApplicationFailure.nonRetryable(
      input?.mode === 'delta'
        ? 'delta mode is not implemented yet'
        : 'input.mode must be "full", e.g. {"mode":"full"}',
      'InvalidInput',
    );
  const batchSize = input.batchSize ?? 500;
  let decision: DriftDecision | undefined = input.resume?.decision;
  setHandler(driftDecisionSignal, (d) => {
    decision ??= d;
  });
  const report = input.resume?.report ?? emptyReport();
  setHandler(importProgressQuery, () => report);
  const startedAt = input.resume?.startedAt ?? Date.now();
  const finish = (outcome: WorkdayImportReport['outcome']) => {
    report.outcome = outcome;
    report.durationMs = Date.now() - startedAt;
    return report;
  };

  let inspection = input.resume?.inspection;
  if (!inspection) {
    inspection = await workday.workdayInspectExport({ file: input.file });
    report.file = inspection.file;
    report.drift.unknownColumns = inspection.drift.unknownColumns;
    report.drift.missingRequired = inspection.drift.missingRequired;
    if (inspection.drift.unknownColumns.length > 0) {
      await announce({
        title: 'Workday export has columns outside the contract',
        severity: 'warning',
        summary: `${inspection.file} carries ${inspection.drift.unknownColumns.length} unknown column(s); they are not imported until the mapping is extended.`,
        facts: [{ name: 'Unknown columns', value: inspection.drift.unknownColumns.join(', ') }],
        connector: 'workday',
      });
      if (input.refreshTableauOnDrift !== false) {
        report.tableauRefresh = await startTableauRefresh(
          inspection.file,
          inspection.drift.unknownColumns,
          input.tableauPolling,
        );
      }
    }
    if (inspection.drift.missingRequired.length > 0 || inspection.duplicateColumns.length > 0) {
      await announce({
        title: 'Workday import stopped: required columns missing',
        severity: 'critical',
        summary: `${inspection.file} lacks required column(s). Signal driftDecision {who, action: "proceed"|"abort", mapping?} to workflow ${workflowInfo().workflowId}.`,
        facts: [
          { name: 'Missing', value: inspection.drift.missingRequired.join(', ') || '—' },
          { name: 'Duplicate columns', value: inspection.duplicateColumns.join(', ') || '—' },
        ],
        connector: 'workday',
      });
      const decided = await condition(() => decision !== undefined, input.driftDecisionTimeout ?? '24 hours');
      if (!decided) return finish('drift-timeout');
      report.drift.decision = { who: decision!.who, action: decision!.action };
      if (decision!.action === 'abort') return finish('aborted');
      report.drift.missingRequired = detectDrift(inspection.header, decision!.mapping).missingRequired;
    }
  }

  let offset = input.resume?.offset ?? inspection.dataOffset;
  let line = input.resume?.line ?? inspection.dataLine;
  for (let batchesThisRun = 0; ; batchesThisRun++) {
    if (batchesThisRun >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof workdayEmployeeImport>({
        ...input,
        resume: { inspection, decision, offset, line, report, startedAt },
      });
    }
    const batch = await workday.workdayImportBatch({
      file: inspection.file,
      header: inspection.header,
      offset,
      line,
      batchSize,
      mapping: decision?.mapping,
    });
    report.batches++;
    report.read += batch.read;
    report.valid += batch.valid;
    report.invalid += batch.invalid;
    report.invalidReasons = addReasonCounts(report.invalidReasons, batch.reasons);
    report.regions = {
      eu: addRegionCounts(report.regions.eu, batch.regions.eu),
      us: addRegionCounts(report.regions.us, batch.regions.us),
    };
    if (batch.quarantineRef && report.quarantineRefs.length < MAX_QUARANTINE_REFS)
      report.quarantineRefs.push(batch.quarantineRef);
    offset = batch.nextOffset;
    line = batch.nextLine;
    if (batch.done) break;
  }
  return finish('completed');
}

/** Extracts built on Workday data must pick up the new fields: one refresh per export file. */
async function startTableauRefresh(
  file: string,
  newFields: string[],
  polling: WorkdayEmployeeImportInput['tableauPolling'] = {},
): Promise<string> {
  const workflowId = `tableau-refresh-drift-${file}`;
  try {
    await startChild(tableauExtractRefresh, {
      workflowId,
      args: [{ ...refreshInputForDrift({ newFields, source: 'workday' }), ...polling }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: connectorAttributes('tableau'),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
