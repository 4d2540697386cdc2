// workdayEmployeeImport: Workday workers into ERPNext, per region. Full mode reads the nightly SFTP
// export in batches (workdayFullImport.ts); delta mode reads Get_Workers pages over SOAP for the
// window since the last delta (workdayDeltaImport.ts). Every write step goes through the ERPNext
// circuit breaker, so an outage is waited out on durable timers instead of failing the import.
// Long imports continue as new with their progress, so history stays bounded.
import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DriftDecision } from '../domain/employee';
import { callThroughBreaker, type BreakerOptions } from './breakerControl';
import { deltaDone, importNextPage, startDelta, type DeltaProgress } from './workdayDeltaImport';
import {
  importNextBatch,
  prepareFullImport,
  type FullImportOptions,
  type FullProgress,
} from './workdayFullImport';
import { addStep, emptyReport, type WorkdayImportReport } from './workdayImportReport';

export type { WorkdayImportReport } from './workdayImportReport';

export interface WorkdayEmployeeImportInput extends FullImportOptions {
  mode: 'full' | 'delta';
  /** Delta: start of the window (ISO date-time) instead of where the last delta ended. */
  since?: string;
  /** Rows per batch activity (default 1,000, the most one batch takes; fewer is slower). */
  batchSize?: number;
  /** How often an open ERPNext breaker is probed (default 5 minutes). */
  breakerProbeEvery?: Duration;
  /** Carried over continue-as-new; not for operators. */
  resume?: ImportProgress;
}

export interface ImportProgress {
  report: WorkdayImportReport;
  startedAt: number;
  decision?: DriftDecision;
  full?: FullProgress;
  delta?: DeltaProgress;
}

export const driftDecisionSignal = defineSignal<[DriftDecision]>('driftDecision');
/** The same decision as an update (Slack's Proceed/Abort buttons): the person learns if it was taken. */
export const driftDecisionUpdate = defineUpdate<{ accepted: true; detail: string }, [DriftDecision]>(
  'driftDecision',
);
export const importProgressQuery = defineQuery<WorkdayImportReport>('progress');

const probes = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

const STEPS_PER_RUN = 400;
const DEFAULT_BATCH_SIZE = 1000;

export async function workdayEmployeeImport(input: WorkdayEmployeeImportInput): Promise<WorkdayImportReport> {
  if (input?.mode !== 'full' && input?.mode !== 'delta')
    throw ApplicationFailure.nonRetryable(
      'input.mode must be "full" or "delta", e.g. {"mode":"full"} or {"mode":"delta","since":"2026-11-25T08:00:00Z"}',
      'InvalidInput',
    );
  const resume = input.resume;
  let decision: DriftDecision | undefined = resume?.decision;
  setHandler(driftDecisionSignal, (d) => {
    decision ??= d;
  });
  setHandler(
    driftDecisionUpdate,
    (d) => {
      decision = d;
      return { accepted: true, detail: `the import will ${d.action}` };
    },
    {
      validator: (d) => {
        const problem = driftDecisionProblem(d, decision);
        if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidDecision');
      },
    },
  );
  const report = resume?.report ?? emptyReport(input.mode);
  setHandler(importProgressQuery, () => report);
  const startedAt = resume?.startedAt ?? Date.now();
  const finish = (outcome: WorkdayImportReport['outcome']) => {
    report.outcome = outcome;
    report.durationMs = Date.now() - startedAt;
    return report;
  };
  const breaker: BreakerOptions = {
    connector: 'erpnext',
    vendor: 'erpnext',
    by: 'workdayEmployeeImport',
    probe: () => probes.erpnextProbe(),
    probeEvery: input.breakerProbeEvery ?? '5 minutes',
    onOutage: () => report.breakerOpenings++,
  };
  const continueIfLong = async (
    stepsThisRun: number,
    progress: Omit<ImportProgress, 'report' | 'startedAt'>,
  ) => {
    if (stepsThisRun >= STEPS_PER_RUN || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof workdayEmployeeImport>({
        ...input,
        resume: { report, startedAt, ...progress },
      });
  };

  if (input.mode === 'delta') {
    const progress = resume?.delta ?? (await startDelta(input.since));
    report.delta = { from: progress.from, through: progress.through, pages: 0 };
    for (let steps = 0; !deltaDone(progress); steps++) {
      await continueIfLong(steps, { delta: progress });
      addStep(
        report,
        await callThroughBreaker(breaker, () => importNextPage(progress, input.heartbeatTimeout)),
      );
      report.delta.pages++;
    }
    return finish('completed');
  }

  let progress = resume?.full;
  if (!progress) {
    const prepared = await prepareFullImport(input, report, () => decision);
    if (typeof prepared === 'string') return finish(prepared);
    progress = prepared;
  }
  const full = progress;
  for (let steps = 0; ; steps++) {
    await continueIfLong(steps, { decision: full.decision, full });
    const batch = await callThroughBreaker(breaker, () =>
      importNextBatch(full, input.batchSize ?? DEFAULT_BATCH_SIZE, input.heartbeatTimeout),
    );
    addStep(report, batch);
    if (batch.done) break;
  }
  return finish('completed');
}

function driftDecisionProblem(
  d: DriftDecision | undefined,
  taken: DriftDecision | undefined,
): string | undefined {
  if (taken) return `already decided: ${taken.action} by ${taken.who}`;
  if (!d || typeof d.who !== 'string' || d.who === '') return '`who` is required: the person deciding';
  if (d.action !== 'proceed' && d.action !== 'abort') return '`action` must be "proceed" or "abort"';
  return undefined;
}
