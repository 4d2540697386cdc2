// The naive design the Workday benchmark compares against (bench-only, never registered by the real
// worker): one activity per record that reads that one row over SFTP from its byte offset, then
// writes it to ERPNext with single-record calls (GET by employee_number, then POST or PUT).
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { parse } from 'csv-parse';
import { columnIndexes } from '../../src/domain/employee';
import { employeeRegion, toErpnextEmployee, validateRow } from '../../src/domain/employeeValidation';
import type { Region } from '../../src/domain/employee';
import { vendorCall } from '../../src/activities/shared/failures';
import type { ErpnextClient } from '../../src/vendors/erpnext';
import type { SftpSource } from '../../src/vendors/sftp';

export interface NaiveRecordInput {
  file: string;
  header: string[];
  offset: number;
  line: number;
}

export interface NaiveRecordResult {
  nextOffset: number;
  nextLine: number;
  done: boolean;
  outcome: 'created' | 'updated' | 'unchanged' | 'invalid' | 'none';
}

interface CsvRecord {
  record: string[];
  info: { bytes: number; lines: number };
}

async function readOne(sftp: SftpSource, file: string, offset: number): Promise<CsvRecord | undefined> {
  const source = await sftp.read(file, offset);
  const parser = parse({ info: true, relax_column_count: true, skip_empty_lines: true });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) return record;
    return undefined;
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
}

export function createNaiveActivities(deps: {
  sftp: SftpSource;
  exportDir: string;
  erpnext: Record<Region, ErpnextClient>;
}) {
  return {
    async benchNaiveImportRecord(input: NaiveRecordInput): Promise<NaiveRecordResult> {
      const file = path.posix.join(deps.exportDir, path.posix.basename(input.file));
      const row = await vendorCall('sftp', 'read', () => readOne(deps.sftp, file, input.offset));
      if (!row) return { nextOffset: input.offset, nextLine: input.line, done: true, outcome: 'none' };
      const next = {
        nextOffset: input.offset + row.info.bytes,
        nextLine: input.line + row.info.lines,
        done: false,
      };
      const result = validateRow(row.record, columnIndexes(input.header), input.header.length, input.line);
      if (!result.ok) return { ...next, outcome: 'invalid' };
      const doc = toErpnextEmployee(result.record);
      const region = employeeRegion(result.record);
      const client = deps.erpnext[region];
      if (!client)
        throw ApplicationFailure.nonRetryable(`no ERPNext for ${region}`, 'ResidencyEndpointMissing');
      const connector = region === 'eu' ? 'erpnext-eu' : 'erpnext';
      const [found] = await vendorCall(connector, 'Employee.get', () =>
        client.list<{ name: string; custom_workday_hash?: string }>('Employee', {
          filters: [['employee_number', '=', doc.employee_number]],
          fields: ['name', 'custom_workday_hash'],
          pageLength: 1,
        }),
      );
      if (!found) {
        await vendorCall(connector, 'Employee.insert', () =>
          client.request('POST', '/api/resource/Employee', doc),
        );
        return { ...next, outcome: 'created' };
      }
      if (found.custom_workday_hash === doc.custom_workday_hash) return { ...next, outcome: 'unchanged' };
      await vendorCall(connector, 'Employee.update', () =>
        client.request('PUT', `/api/resource/Employee/${encodeURIComponent(found.name)}`, doc),
      );
      return { ...next, outcome: 'updated' };
    },
  };
}

export type NaiveActivities = ReturnType<typeof createNaiveActivities>;
