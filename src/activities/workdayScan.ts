// Cross-batch duplicates: one streaming pass over the export before the batches, so a Workday id
// that appears twice in a file is caught even when its rows land in different batches. The first
// row wins; later rows are quarantined by the batch that reads them. The pass also counts the rows,
// which gives the import its progress figure.
import path from 'node:path';
import { columnIndexes, type ColumnMapping } from '../domain/employee';
import type { SftpSource } from '../vendors/sftp';
import { vendorCall } from './failures';
import { readRecords } from './workday';

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
}

/** Keeps the workflow history small; a file with more repeats than this is broken upstream anyway. */
export const MAX_DUPLICATES = 1000;

export interface ScanInput {
  file: string;
  header: string[];
  offset: number;
  line: number;
  mapping?: ColumnMapping;
}

export function createWorkdayScanActivities(deps: { sftp?: SftpSource; exportDir?: string }) {
  return {
    async workdayScanExport(input: ScanInput): Promise<ExportScan> {
      if (!deps.sftp) throw new Error('Workday SFTP is not configured (WORKDAY_SFTP_*)');
      const source = deps.sftp;
      const idColumn = columnIndexes(input.header, input.mapping).Employee_ID;
      const remote = path.posix.join(deps.exportDir ?? '/exports', path.posix.basename(input.file));
      // id → first line. Holds one short string per row; see the benchmark's memory figures.
      const firstLines = new Map<string, number>();
      const duplicates: DuplicateRow[] = [];
      let duplicatesTotal = 0;
      const read = await vendorCall('sftp', 'read', () =>
        readRecords(source, remote, input.offset, input.line, Infinity, (values, line) => {
          const employeeId = idColumn >= 0 ? values[idColumn]?.trim() : undefined;
          if (!employeeId) return;
          const firstLine = firstLines.get(employeeId);
          if (firstLine === undefined) firstLines.set(employeeId, line);
          else if (++duplicatesTotal <= MAX_DUPLICATES) duplicates.push({ line, employeeId, firstLine });
        }),
      );
      return { rows: read.count, duplicates, duplicatesTotal };
    },
  };
}
