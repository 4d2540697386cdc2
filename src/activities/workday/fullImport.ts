// Workday import activities: inspect the newest export's header (drift), then one activity per
// batch that streams rows from a byte offset over SFTP (bounded memory), validates them against the
// contract, quarantines invalid rows to a file (line, field, reason), and upserts the valid ones into
// the ERPNext of their region, keyed by employee_number, skipping records whose content hash matches.
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { parse } from 'csv-parse';
import {
  columnIndexes,
  detectDrift,
  duplicateColumns,
  newestExportFile,
  normalizeHeader,
  type ColumnMapping,
  type Drift,
  type Region,
} from '../../domain/employee';
import { validateRow } from '../../domain/employeeValidation';
import type { ErpnextClient } from '../../vendors/erpnext';
import type { SftpSource } from '../../vendors/sftp';
import { createBatchWriter, EmployeeBatch, type WrittenBatch } from '../erpnext/batch';
import type { DuplicateRow } from './scan';
import { vendorCall } from '../shared/failures';

export interface WorkdayDeps {
  sftp?: SftpSource;
  exportDir?: string;
  erpnext?: Partial<Record<Region, ErpnextClient>>;
  quarantineDir?: string;
  /** Retention of the dead-letter queues that refused employees go to (DLQ_RETENTION). */
  deadLetterRetention?: string;
}

export interface ExportInspection {
  file: string;
  size: number;
  header: string[];
  /** Byte offset and line number of the first data row. */
  dataOffset: number;
  dataLine: number;
  drift: Drift;
  duplicateColumns: string[];
}

export interface ImportBatchInput {
  file: string;
  header: string[];
  offset: number;
  line: number;
  batchSize: number;
  mapping?: ColumnMapping;
  /** Rows of this batch or later ones that repeat an id first seen on an earlier line (from the scan). */
  duplicates?: DuplicateRow[];
  /** Regions whose breaker is open: their employees go to their dead-letter queue instead. */
  deferRegions?: Region[];
}

/** Where a batch starts in the export: the byte offset and first line of its first record. */
export interface BatchStart {
  offset: number;
  line: number;
}

export interface ImportBatchResult extends WrittenBatch {
  nextOffset: number;
  nextLine: number;
  done: boolean;
  read: number;
}

const MAX_BATCH = 1000;

/** The rows one batch takes: what was asked, within 1 to MAX_BATCH (the scan cuts batches with it too). */
export function clampBatchSize(asked: number): number {
  return Math.min(Math.max(1, asked), MAX_BATCH);
}

interface CsvRecord {
  record: string[];
  info: { bytes: number; lines: number };
}

/**
 * Streams records from `offset`. csv-parse reports `info.lines` as the record's last line but counts
 * a CRLF inside a quoted field as two lines: corrected here so every row gets its first physical line.
 */
export async function readRecords(
  sftp: SftpSource,
  file: string,
  offset: number,
  firstLine: number,
  max: number,
  /** `line`: the record's first line; `next`: where the record after it starts. */
  onRecord: (values: string[], line: number, next: BatchStart) => void,
): Promise<{ count: number; ended: boolean; nextOffset: number; nextLine: number }> {
  const source = await sftp.read(file, offset);
  const parser = parse({ bom: offset === 0, info: true, relax_column_count: true, skip_empty_lines: true });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let count = 0;
  let crlfInQuotes = 0;
  let nextOffset = offset;
  let nextLine = firstLine;
  let ended = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      let newlines = 0;
      for (const value of record) {
        for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) {
          newlines++;
          if (i > 0 && value[i - 1] === '\r') crlfInQuotes++;
        }
      }
      const lastLine = firstLine - 1 + info.lines - crlfInQuotes;
      nextOffset = offset + info.bytes;
      nextLine = lastLine + 1;
      onRecord(record, lastLine - newlines, { offset: nextOffset, line: nextLine });
      count++;
      if (count >= max) {
        ended = false;
        break;
      }
    }
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  return { count, ended, nextOffset, nextLine };
}

/** The configured export server, and where a named export lives on it (only its base name counts). */
export function exportFiles(deps: Pick<WorkdayDeps, 'sftp' | 'exportDir'>) {
  const dir = deps.exportDir ?? '/exports';
  return {
    dir,
    source(): SftpSource {
      if (!deps.sftp)
        throw ApplicationFailure.nonRetryable(
          'Workday SFTP is not configured (WORKDAY_SFTP_*)',
          'NotConfigured',
        );
      return deps.sftp;
    },
    path: (file: string) => path.posix.join(dir, path.posix.basename(file)),
  };
}

export function createWorkdayFullImportActivities(deps: WorkdayDeps) {
  const exports = exportFiles(deps);
  const exportDir = exports.dir;
  const sftp = exports.source;
  const remote = exports.path;

  const writeBatch = createBatchWriter(deps);

  return {
    /** Picks the export (newest `workers_YYYYMMDD.csv` unless named) and checks its header. */
    async workdayInspectExport(input: { file?: string }): Promise<ExportInspection> {
      const source = sftp();
      let file = input.file ? path.posix.basename(input.file) : undefined;
      if (!file) {
        const files = await vendorCall('sftp', 'list', () => source.list(exportDir));
        file = newestExportFile(files.map((f) => f.name));
        if (!file)
          throw ApplicationFailure.nonRetryable(`no workers_YYYYMMDD.csv in ${exportDir}`, 'NoExportFile');
      }
      const size = await vendorCall('sftp', 'stat', () => source.size(remote(file)));
      let header: string[] = [];
      const read = await vendorCall('sftp', 'read', () =>
        readRecords(source, remote(file), 0, 1, 1, (values) => {
          header = normalizeHeader(values);
        }),
      );
      if (read.count === 0)
        throw ApplicationFailure.nonRetryable(`${file} is empty: no header row`, 'EmptyExport');
      return {
        file,
        size,
        header,
        dataOffset: read.nextOffset,
        dataLine: read.nextLine,
        drift: detectDrift(header),
        duplicateColumns: duplicateColumns(header),
      };
    },

    /** One batch: at most `batchSize` rows from `offset`, validated and upserted per region. */
    async workdayImportBatch(input: ImportBatchInput): Promise<ImportBatchResult> {
      const batchSize = clampBatchSize(input.batchSize);
      const indexes = columnIndexes(input.header, input.mapping);
      const batch = new EmployeeBatch();
      const repeats = new Map((input.duplicates ?? []).map((d) => [d.line, d.firstLine]));
      const read = await vendorCall('sftp', 'read', () =>
        readRecords(sftp(), remote(input.file), input.offset, input.line, batchSize, (values, line) => {
          const result = validateRow(values, indexes, input.header.length, line);
          if (!result.ok) {
            const employeeId = indexes.Employee_ID >= 0 ? values[indexes.Employee_ID]?.trim() : undefined;
            for (const e of result.errors) batch.quarantine({ ...e, employeeId });
            return;
          }
          const firstLine = repeats.get(line);
          if (firstLine !== undefined) {
            const employeeId = result.record.employeeId;
            batch.quarantine({
              line,
              field: 'Employee_ID',
              reason: 'duplicate in file',
              employeeId,
              firstLine,
            });
            return;
          }
          batch.accept(result.record, line, 'duplicate in file');
        }),
      );
      Context.current().heartbeat({ offset: read.nextOffset, line: read.nextLine });
      const written = await writeBatch(
        batch,
        {
          operation: 'employee.import',
          processed: read.count,
          // Named by file and first line: a retried batch overwrites its own quarantine, never adds to it.
          quarantineName: `${input.file}.${input.line}`,
          quarantineTag: { file: input.file },
        },
        input.deferRegions,
      );
      return {
        nextOffset: read.nextOffset,
        nextLine: read.nextLine,
        done: read.ended,
        read: read.count,
        ...written,
      };
    },
  };
}
