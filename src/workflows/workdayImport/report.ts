// The Workday import's report (the workflow result the UI shows) and how batch or page results add
// into it. Counts only: quarantined rows stay in files, referenced by path; no personal data.
import type { WrittenBatch } from '../../activities/erpnext/batch';
import {
  addReasonCounts,
  addRegionCounts,
  emptyRegionCounts,
  type ReasonCounts,
  type Region,
  type RegionCounts,
} from '../../domain/employee';

export interface WorkdayImportReport {
  mode: 'full' | 'delta';
  outcome: 'completed' | 'aborted' | 'drift-timeout' | 'running';
  file?: string;
  /** Delta: the transaction-log window this run covered; the next delta starts at `through`. */
  delta?: { from: string; through: string; pages: number };
  /** Data rows in the export (full mode, known after the scan): `read` / `rows` is the progress. */
  rows?: number;
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
  /** ERPNext outages this run waited out behind the circuit breaker. */
  breakerOpenings: number;
  durationMs: number;
}

/** One batch (full) or page (delta) as the activities report it. */
export type StepCounts = WrittenBatch & { read: number };

const MAX_QUARANTINE_REFS = 20;

export function emptyReport(mode: WorkdayImportReport['mode']): WorkdayImportReport {
  return {
    mode,
    outcome: 'running',
    read: 0,
    valid: 0,
    invalid: 0,
    invalidReasons: {},
    regions: { eu: emptyRegionCounts(), us: emptyRegionCounts() },
    drift: { unknownColumns: [], missingRequired: [] },
    quarantineRefs: [],
    batches: 0,
    breakerOpenings: 0,
    durationMs: 0,
  };
}

/** Adds one batch (full) or page (delta) into the report, in place. */
export function addStep(report: WorkdayImportReport, step: StepCounts): void {
  report.batches++;
  report.read += step.read;
  report.valid += step.valid;
  report.invalid += step.invalid;
  report.invalidReasons = addReasonCounts(report.invalidReasons, step.reasons);
  report.regions = {
    eu: addRegionCounts(report.regions.eu, step.regions.eu),
    us: addRegionCounts(report.regions.us, step.regions.us),
  };
  if (step.quarantineRef && report.quarantineRefs.length < MAX_QUARANTINE_REFS)
    report.quarantineRefs.push(step.quarantineRef);
}

/** One line of progress for the run's current details in the Web UI. */
export function progressLine(report: WorkdayImportReport): string {
  const of = report.rows !== undefined ? ` of ${report.rows}` : '';
  const where = report.delta ? `, page ${report.delta.pages}` : report.file ? ` from ${report.file}` : '';
  return `Read ${report.read}${of} rows${where}: ${report.valid} valid, ${report.invalid} quarantined, ${report.batches} batches, ${report.breakerOpenings} ERPNext outages waited out.`;
}
