// salesforceAccountIntelligence: ERPNext → Salesforce. The finance figures ERPNext knows per Customer
// that came from Salesforce go to Account custom fields through one Bulk API 2.0 ingest upsert; the
// job's state is polled on durable timers (a worker restart loses nothing), and the rows Salesforce
// refused (failedResults with sf__Error) go to `dlq-salesforce`, from where a redrive writes them.
import type { Duration } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { salesforceAccountIntelligenceInput } from '../domain/inputs/salesforce';
import { SALESFORCE_CONNECTOR } from '../domain/salesforce';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { poolLease } from './salesforce/pool';
import { awaitJob, sf, step, type StepContext } from './salesforce/steps';

export interface SalesforceAccountIntelligenceInput {
  pollInitial?: Duration;
  pollMax?: Duration;
  reserve?: number;
  parkFor?: Duration;
}

export interface SalesforceIntelligenceReport {
  jobId?: string;
  rows: number;
  processed: number;
  failed: number;
  deadLettered: number;
  parked: number;
}

export async function salesforceAccountIntelligence(
  raw: SalesforceAccountIntelligenceInput,
): Promise<SalesforceIntelligenceReport> {
  const input = beginRun(salesforceAccountIntelligenceInput, raw, () => ({
    connector: SALESFORCE_CONNECTOR,
    details:
      'ERPNext finance figures → Salesforce Account fields (Bulk API 2.0 upsert); refused rows to dlq-salesforce.',
  })) as SalesforceAccountIntelligenceInput;
  dropUnknownSignals();
  const ctx: StepContext = {
    guard: { reserve: input.reserve ?? 5_000, parkFor: input.parkFor ?? '1 hour', parked: 0 },
    state: {},
    lease: poolLease(workflowInfo().workflowId),
    what: 'The Salesforce account intelligence upload',
  };
  const today = new Date().toISOString().slice(0, 10);
  const upload = await step(ctx, () => sf.salesforceIntelligenceUpload({ today }));
  const report: SalesforceIntelligenceReport = {
    jobId: upload.jobId,
    rows: upload.rows,
    processed: 0,
    failed: 0,
    deadLettered: 0,
    parked: 0,
  };
  const jobId = upload.jobId;
  if (jobId) {
    const job = await awaitJob(ctx, 'ingest', jobId, {
      initial: input.pollInitial ?? '5 seconds',
      max: input.pollMax ?? '2 minutes',
    });
    report.processed = job.processed;
    report.failed = job.failed;
    if (job.failed > 0)
      report.deadLettered = (await step(ctx, () => sf.salesforceIngestFailures({ jobId }))).deadLettered;
  }
  report.parked = ctx.guard.parked;
  return report;
}
