// Cross-batch duplicates: one streaming pass over the export before the batches, so a Workday id
// that appears twice in a file is caught even when its rows land in different batches. The first
// row wins; later rows are quarantined by the batch that reads them. The pass also counts the rows,
// which gives the import its progress figure, and notes where every batch starts, so the import can
// run several batches at once. Memory: a 12-byte hash per row (see idIndex.ts).
import { columnIndexes, type ColumnMapping } from '../../domain/employee';
import type { SftpSource } from '../../vendors/sftp';
import { Context } from '@temporalio/activity';
import { vendorCall } from '../shared/failures';
import { confirmRepeats, IdIndex } from './idIndex';
import { clampBatchSize, exportFiles, readRecords, type BatchStart } from './fullImport';

export interface DuplicateRow {
  line: number;
  employeeId: string;
  firstLine: number;
}

export interface ExportScan {
  rows: number;
  /** Later rows of repeated ids, in file order; at most MAX_DUPLICATES are listed. */
  duplicates: DuplicateRow[];
  duplicatesTotal: number;
  /** Where each batch of `batchSize` rows starts, in file order (only when `batchSize` was given). */
  batchStarts?: BatchStart[];
}

/** Keeps the workflow history small; a file with more repeats than this is broken upstream anyway. */
export const MAX_DUPLICATES = 1000;

export interface ScanInput {
  file: string;
  header: string[];
  offset: number;
  line: number;
  mapping?: ColumnMapping;
  /** Rows per batch: when given, the scan returns where each batch starts. */
  batchSize?: number;
}

export function createWorkdayScanActivities(deps: { sftp?: SftpSource; exportDir?: string }) {
  return {
    async workdayScanExport(input: ScanInput): Promise<ExportScan> {
      const exports = exportFiles(deps);
      const source = exports.source();
      const idColumn = columnIndexes(input.header, input.mapping).Employee_ID;
      const remote = exports.path(input.file);
      const idOf = (values: string[]) => (idColumn >= 0 ? values[idColumn]?.trim() : undefined) || undefined;
      const scan = (onRow: (id: string, line: number) => void, onNext?: (next: BatchStart) => void) =>
        vendorCall('sftp', 'read', () =>
          readRecords(source, remote, input.offset, input.line, Infinity, (values, line, next) => {
            const id = idOf(values);
            if (id) onRow(id, line);
            onNext?.(next);
          }),
        );
      // Pass 1 keeps a hash per row and notes batch starts; only when hashes repeat does pass 2 read
      // the ids of those lines.
      const index = new IdIndex();
      const batchSize = input.batchSize === undefined ? undefined : clampBatchSize(input.batchSize);
      const batchStarts: BatchStart[] = [];
      let rowStart: BatchStart = { offset: input.offset, line: input.line };
      let rowsSeen = 0;
      const read = await scan(
        (id, line) => index.add(id, line),
        (next) => {
          if (batchSize && rowsSeen % batchSize === 0) batchStarts.push(rowStart);
          rowsSeen++;
          rowStart = next;
        },
      );
      Context.current().heartbeat({ rows: read.count });
      const candidateLines = index.candidateLines();
      const candidates: { line: number; id: string }[] = [];
      if (candidateLines.size > 0)
        await scan((id, line) => {
          if (candidateLines.has(line)) candidates.push({ line, id });
        });
      const repeats = confirmRepeats(candidates);
      return {
        rows: read.count,
        duplicates: repeats.slice(0, MAX_DUPLICATES),
        duplicatesTotal: repeats.length,
        batchStarts: batchSize ? batchStarts : undefined,
      };
    },
  };
}
