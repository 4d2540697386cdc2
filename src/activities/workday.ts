// Workday import activities: inspect the newest export's header (drift), then one activity per
// batch that streams rows from a byte offset over SFTP (bounded memory), validates them against the
// contract, quarantines invalid rows to a file (line, field, reason), and upserts the valid ones into
// the ERPNext of their region, keyed by employee_number, skipping records whose content hash matches.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { parse } from 'csv-parse';
import {
  columnIndexes,
  detectDrift,
  duplicateColumns,
  newestExportFile,
  normalizeHeader,
  reasonKey,
  type ColumnMapping,
  type Drift,
  type QuarantineEntry,
  type ReasonCounts,
  type Region,
  type RegionCounts,
} from '../domain/employee';
import {
  employeeRegion,
  toErpnextEmployee,
  validateRow,
  type ErpnextEmployeeFields,
} from '../domain/employeeValidation';
import type { ErpnextClient } from '../vendors/erpnext';
import type { SftpSource } from '../vendors/sftp';
import { createEmployeeWriter } from './employeeWriter';
import { deadLetterFailedEmployees } from './employeeDeadLetters';
import { createRegionMover } from './employeeRegionMove';
import type { DuplicateRow } from './workdayScan';
import { vendorCall } from './failures';
import { countRecords } from './recordMetrics';

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
}

export interface ImportBatchResult {
  nextOffset: number;
  nextLine: number;
  done: boolean;
  read: number;
  valid: number;
  invalid: number;
  reasons: ReasonCounts;
  regions: Record<Region, RegionCounts>;
  /** Where this batch's quarantined rows were written, when it had any. */
  quarantineRef?: string;
}

const MAX_BATCH = 1000;

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
  onRecord: (values: string[], line: number, endOffset: number) => void,
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
      onRecord(record, lastLine - newlines, nextOffset);
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

function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function createWorkdayActivities(deps: WorkdayDeps) {
  const exportDir = deps.exportDir ?? '/exports';
  const sftp = () => {
    if (!deps.sftp)
      throw ApplicationFailure.nonRetryable(
        'Workday SFTP is not configured (WORKDAY_SFTP_*)',
        'NotConfigured',
      );
    return deps.sftp;
  };
  const remote = (file: string) => path.posix.join(exportDir, path.posix.basename(file));

  const upsertRegion = createEmployeeWriter(deps.erpnext ?? {}, {
    onFailed: deadLetterFailedEmployees(deps.deadLetterRetention),
  });
  const removeFromOtherRegions = createRegionMover(deps.erpnext ?? {});

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
      const batchSize = Math.min(Math.max(1, input.batchSize), MAX_BATCH);
      const indexes = columnIndexes(input.header, input.mapping);
      const quarantined: (QuarantineEntry & { employeeId?: string; firstLine?: number })[] = [];
      const docs: Record<Region, ErpnextEmployeeFields[]> = { eu: [], us: [] };
      const seen = new Set<string>();
      const repeats = new Map((input.duplicates ?? []).map((d) => [d.line, d.firstLine]));
      let valid = 0;
      const read = await vendorCall('sftp', 'read', () =>
        readRecords(sftp(), remote(input.file), input.offset, input.line, batchSize, (values, line) => {
          const result = validateRow(values, indexes, input.header.length, line);
          if (!result.ok) {
            const employeeId = indexes.Employee_ID >= 0 ? values[indexes.Employee_ID]?.trim() : undefined;
            for (const e of result.errors) quarantined.push({ ...e, employeeId });
            return;
          }
          const firstLine = repeats.get(line);
          if (firstLine !== undefined) {
            quarantined.push({
              line,
              field: 'Employee_ID',
              reason: 'duplicate in file',
              employeeId: result.record.employeeId,
              firstLine,
            });
            return;
          }
          if (seen.has(result.record.employeeId)) {
            quarantined.push({
              line,
              field: 'Employee_ID',
              reason: 'duplicate in file',
              employeeId: result.record.employeeId,
            });
            return;
          }
          seen.add(result.record.employeeId);
          valid++;
          docs[employeeRegion(result.record)].push(toErpnextEmployee(result.record));
        }),
      );
      Context.current().heartbeat({ offset: read.nextOffset, line: read.nextLine });
      // The regions are separate ERPNext sites: written concurrently.
      const [eu, us] = await Promise.all([upsertRegion('eu', docs.eu), upsertRegion('us', docs.us)]);
      const regions = { eu, us };
      const movedIn = await removeFromOtherRegions({
        eu: docs.eu.map((d) => d.employee_number),
        us: docs.us.map((d) => d.employee_number),
      });
      regions.eu.movedIn = movedIn.eu;
      regions.us.movedIn = movedIn.us;

      const reasons: ReasonCounts = {};
      for (const e of quarantined) reasons[reasonKey(e)] = (reasons[reasonKey(e)] ?? 0) + 1;
      let quarantineRef: string | undefined;
      if (quarantined.length > 0) {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'standalone';
        const dir = path.join(deps.quarantineDir ?? path.join('data', 'quarantine'), safeName(workflowId));
        quarantineRef = path.join(dir, `${safeName(input.file)}.${input.line}.jsonl`);
        await mkdir(dir, { recursive: true });
        // Named by file and first line: a retried batch overwrites its own quarantine, never adds to it.
        await writeFile(
          quarantineRef,
          quarantined.map((q) => JSON.stringify({ file: input.file, ...q })).join('\n') + '\n',
        );
      }
      const invalidRows = new Set(quarantined.map((q) => q.line)).size;
      countRecords('workday', 'employee.import', {
        processed: read.count,
        invalid: invalidRows,
        created: regions.eu.created + regions.us.created,
        updated: regions.eu.updated + regions.us.updated,
        unchanged: regions.eu.unchanged + regions.us.unchanged,
        failed: regions.eu.failed + regions.us.failed,
      });
      return {
        nextOffset: read.nextOffset,
        nextLine: read.nextLine,
        done: read.ended,
        read: read.count,
        valid,
        invalid: invalidRows,
        reasons,
        regions,
        quarantineRef,
      };
    },
  };
}
