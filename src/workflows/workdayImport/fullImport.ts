// Full mode of the Workday import: pick the export, gate schema drift (unknown columns: governance
// notice and a Tableau refresh; missing required columns: wait for a person's decision), scan the
// file once for ids repeated across batches and where each batch starts, then hand out batches by
// byte offset (several at once: batchLanes.ts).
import { condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { BatchStart, ExportInspection, ImportBatchResult } from '../../activities/workday/fullImport';
import type { DuplicateRow } from '../../activities/workday/scan';
import { detectDrift, type DriftDecision, type Region } from '../../domain/employee';
import { refreshInputForDrift } from '../../domain/tableau';
import { announce } from '../shared/announce';
import { connectorAttributes } from '../shared/childAttributes';
import { tableauExtractRefresh } from '../tableauExtractRefresh';
import type { WorkdayImportReport } from './report';
import { startChildOnce } from '../shared/startChildOnce';
import { driftGateActions } from '../../domain/alertActions';

export interface FullImportOptions {
  file?: string;
  /** Rows per batch activity (default 1,000, the most one batch takes; fewer is slower). */
  batchSize?: number;
  /** Batches running at once (default 2): one writes to ERPNext while the next reads its rows. */
  batchLanes?: number;
  driftDecisionTimeout?: Duration;
  refreshTableauOnDrift?: boolean;
  tableauPolling?: { pollInitialSeconds?: number; pollMaxSeconds?: number };
  /** How long a batch on a worker that died waits before it runs elsewhere (default 1 minute). */
  heartbeatTimeout?: Duration;
}

/** Where a full import stands; carried over continue-as-new. */
export interface FullProgress {
  inspection: ExportInspection;
  decision?: DriftDecision;
  /** Repeated ids not yet reached (lines ≥ `line`). */
  duplicates: DuplicateRow[];
  offset: number;
  line: number;
  /** Where each batch not yet imported starts (from the scan); absent when scanned by older code. */
  batchStarts?: BatchStart[];
}

/** Batches heartbeat: a batch on a worker that died is retried elsewhere after `heartbeatTimeout`. */
export function batchActivities(heartbeatTimeout: Duration = DEFAULT_HEARTBEAT_TIMEOUT) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout,
    // A handful of quick retries; an outage that outlasts them opens the ERPNext breaker.
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 5,
    },
  });
}

export const DEFAULT_HEARTBEAT_TIMEOUT: Duration = '1 minute';
export const DEFAULT_BATCH_SIZE = 1000;
const workday = batchActivities();

const scanner = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});

/**
 * Inspects the export and runs the drift gate. Returns the progress to start batching from, or the
 * outcome that ends the run when a person aborted or nobody decided in time.
 */
export async function prepareFullImport(
  options: FullImportOptions,
  report: WorkdayImportReport,
  decision: () => DriftDecision | undefined,
): Promise<FullProgress | 'aborted' | 'drift-timeout'> {
  const inspection = await workday.workdayInspectExport({ file: options.file });
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
    if (options.refreshTableauOnDrift !== false) {
      report.tableauRefresh = await startTableauRefresh(
        inspection.file,
        inspection.drift.unknownColumns,
        options.tableauPolling,
      );
    }
  }
  let chosen: DriftDecision | undefined;
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
      actions: driftGateActions(workflowInfo().workflowId),
    });
    const decided = await condition(
      () => decision() !== undefined,
      options.driftDecisionTimeout ?? '24 hours',
    );
    if (!decided) return 'drift-timeout';
    chosen = decision()!;
    report.drift.decision = { who: chosen.who, action: chosen.action };
    if (chosen.action === 'abort') return 'aborted';
    report.drift.missingRequired = detectDrift(inspection.header, chosen.mapping).missingRequired;
  }
  const scan = await scanner.workdayScanExport({
    file: inspection.file,
    header: inspection.header,
    offset: inspection.dataOffset,
    line: inspection.dataLine,
    mapping: chosen?.mapping,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
  });
  report.rows = scan.rows;
  return {
    inspection,
    decision: chosen,
    duplicates: scan.duplicates,
    offset: inspection.dataOffset,
    line: inspection.dataLine,
    batchStarts: scan.batchStarts,
  };
}

/** One batch from where `progress` stands; advances `progress` in place. */
export async function importNextBatch(
  progress: FullProgress,
  batchSize: number,
  heartbeatTimeout?: Duration,
  deferRegions: Region[] = [],
): Promise<ImportBatchResult> {
  const batch = await batchActivities(heartbeatTimeout).workdayImportBatch({
    file: progress.inspection.file,
    header: progress.inspection.header,
    offset: progress.offset,
    line: progress.line,
    batchSize,
    mapping: progress.decision?.mapping,
    duplicates: progress.duplicates.length > 0 ? progress.duplicates : undefined,
    ...(deferRegions.length > 0 && { deferRegions }),
  });
  progress.offset = batch.nextOffset;
  progress.line = batch.nextLine;
  progress.duplicates = progress.duplicates.filter((d) => d.line >= batch.nextLine);
  return batch;
}

/** Extracts built on Workday data must pick up the new fields: one refresh per export file. */
async function startTableauRefresh(
  file: string,
  newFields: string[],
  polling: FullImportOptions['tableauPolling'] = {},
): Promise<string> {
  const workflowId = `tableau-refresh-drift-${file}`;
  await startChildOnce(tableauExtractRefresh, {
    workflowId,
    args: [{ ...refreshInputForDrift({ newFields, source: 'workday' }), ...polling }],
    typedSearchAttributes: connectorAttributes('tableau'),
    staticSummary: `Tableau refresh after new Workday columns in ${file}`,
    staticDetails: `Started by the Workday import ${workflowInfo().workflowId}: new fields ${newFields.join(', ').slice(0, 500)}.`,
  });
  return workflowId;
}
