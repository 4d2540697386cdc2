// The Workday benchmark's ceiling, run as a child process like the worker: the production batch
// activity (`workdayImportBatch`: parse, validate, quarantine, upsert per region, region moves) over
// the same export and the same ERPNext simulators, batch after batch, but with no Temporal (the
// activity runs in a MockActivityEnvironment, no server, no workflow) and no SFTP (the export is read
// from local disk). What the orchestrated import should approach. BENCH_LANES > 1: the scan, then
// that many batches at a time, as the workflow runs them. Reports over IPC: `done`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import type { ExportInspection, ImportBatchResult } from '../../src/activities/workday/fullImport';
import type { ExportScan } from '../../src/activities/workday/scan';
import { loadConfig } from '../../src/config';
import { SftpSource, type RemoteFile } from '../../src/vendors/sftp';
import { CountingErpnextClient, requestCounts } from './counting';
import { procMb } from './processes';

/** The export folder on local disk, in place of the SFTP server. */
class LocalExports extends SftpSource {
  constructor(private readonly dir: string) {
    super({ host: '', port: 0, username: '', password: '', hostKeyFingerprint: '' });
  }

  private local(file: string): string {
    return path.join(this.dir, path.posix.basename(file));
  }

  override async list(): Promise<RemoteFile[]> {
    return [];
  }

  override async size(file: string): Promise<number> {
    return (await stat(this.local(file))).size;
  }

  override async read(file: string, start = 0): Promise<Readable> {
    return createReadStream(this.local(file), { start });
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0' });
  const ca = config.extraCaPem;
  const deps = activityDepsFromConfig(config);
  deps.workday = {
    ...deps.workday,
    sftp: new LocalExports(process.env.BENCH_EXPORT_DIR!),
    erpnext: {
      us: new CountingErpnextClient({ ...config.erpnext!, extraCaPem: ca }),
      eu: new CountingErpnextClient({ ...config.erpnextEu!, extraCaPem: ca }),
    },
  };
  const activities = createActivities(deps);
  const file = process.env.BENCH_EXPORT_FILE!;
  const batchSize = Number(process.env.BENCH_BATCH_SIZE);
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'bench-ceiling', runId: '' } });

  const started = performance.now();
  const inspection: ExportInspection = await env.run(activities.workdayInspectExport, { file });
  const { header, dataOffset, dataLine } = inspection;
  let rows = 0;
  const lanes = Number(process.env.BENCH_LANES ?? 1);
  if (lanes <= 1) {
    let position = { offset: dataOffset, line: dataLine };
    for (let done = false; !done;) {
      const batch: ImportBatchResult = await env.run(activities.workdayImportBatch, {
        file,
        header,
        ...position,
        batchSize,
      });
      rows += batch.read;
      position = { offset: batch.nextOffset, line: batch.nextLine };
      done = batch.done;
    }
  } else {
    // As the workflow does with lanes: the scan notes batch starts, then `lanes` batches at a time.
    const scan: ExportScan = await env.run(activities.workdayScanExport, {
      file,
      header,
      offset: dataOffset,
      line: dataLine,
      batchSize,
    });
    const starts = [...(scan.batchStarts ?? [])];
    const lane = async () => {
      for (let start = starts.shift(); start; start = starts.shift()) {
        const batch: ImportBatchResult = await env.run(activities.workdayImportBatch, {
          file,
          header,
          ...start,
          batchSize,
        });
        rows += batch.read;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  }
  const seconds = (performance.now() - started) / 1000;
  // Exits once the report is sent: nothing else would end this process (open connections).
  const done = {
    type: 'done',
    rows,
    seconds,
    requests: { ...requestCounts },
    peakMb: procMb(process.pid, 'VmHWM'),
  };
  process.send!(done, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
