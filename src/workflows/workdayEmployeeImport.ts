// workdayEmployeeImport: Workday workers into ERPNext, per region. Full mode reads the nightly SFTP
// export in batches (workdayImport/fullImport.ts); delta mode reads Get_Workers pages over SOAP for the
// window since the last delta (workdayImport/deltaImport.ts). Every write step asks the breakers of
// both ERPNext regions first: a region whose breaker is open is deferred to its dead-letter queue,
// and while both are open the import waits on durable timers instead of failing.
// Long imports continue as new with their progress, so history stays bounded.
import {
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DriftDecision } from '../domain/employee';
import { callThroughBreaker, type BreakerOptions } from './shared/breakerControl';
import { waitThroughBreakers } from './shared/breakerGate';
import { REGIONS, erpnextConnectorFor, regionOfErpnextConnector, type Region } from '../domain/employee';
import { deltaDone, importNextPage, startDelta, type DeltaProgress } from './workdayImport/deltaImport';
import {
  DEFAULT_BATCH_LANES,
  FORMER_DEFAULT_BATCH_LANES,
  hasBatchStarts,
  importRound,
} from './workdayImport/batchLanes';
import {
  DEFAULT_BATCH_SIZE,
  importNextBatch,
  prepareFullImport,
  type FullImportOptions,
  type FullProgress,
} from './workdayImport/fullImport';
import {
  addStep,
  emptyReport,
  progressLine,
  type StepCounts,
  type WorkdayImportReport,
} from './workdayImport/report';
import { driftDecisionArgs, workdayEmployeeImportInput } from '../domain/inputs/workdayEmployeeImport';
import { refusal } from '../domain/inputs/parse';
import { signalArg, updateArgValidator } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export type { WorkdayImportReport } from './workdayImport/report';

export interface WorkdayEmployeeImportInput extends FullImportOptions {
  mode: 'full' | 'delta';
  /** Delta: start of the window (ISO date-time) instead of where the last delta ended. */
  since?: string;
  /** Runs from before the breaker gate only: how often they probe an open breaker (default 5 minutes). */
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

export async function workdayEmployeeImport(raw: WorkdayEmployeeImportInput): Promise<WorkdayImportReport> {
  const input = beginRun(workdayEmployeeImportInput, raw, (i) => ({
    connector: 'workday',
    details:
      i.mode === 'full'
        ? 'Full import of the newest Workday SFTP export into ERPNext (US and EU), batch by batch.'
        : 'Delta import of workers changed in Workday (SOAP Get_Workers) into ERPNext.',
  })) as WorkdayEmployeeImportInput;
  const resume = input.resume;
  let decision: DriftDecision | undefined = resume?.decision;
  setHandler(driftDecisionSignal, (d) => {
    decision ??= signalArg(driftDecisionArgs, d, 'driftDecision');
  });
  const checkDecisionArg = updateArgValidator(driftDecisionArgs, 'driftDecision');
  setHandler(
    driftDecisionUpdate,
    (d) => {
      decision = d;
      return { accepted: true, detail: `the import will ${d.action}` };
    },
    {
      validator: (d) => {
        checkDecisionArg(d);
        if (decision) throw refusal(`already decided: ${decision.action} by ${decision.who}`, 'Refused');
      },
    },
  );
  const report = resume?.report ?? emptyReport(input.mode);
  setHandler(importProgressQuery, () => report);
  dropUnknownSignals();
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
  // Each region's breaker gates its own writes: a region whose breaker is open is deferred to its
  // dead-letter queue while the other region is written. Runs from before this gate keep the old
  // wait-out-the-outage behaviour.
  const gated = patched('breaker-gates');
  const waiting = new Set<string>();
  const throughBreakers = <T>(step: (defer: Region[]) => Promise<T>): Promise<T> =>
    gated
      ? waitThroughBreakers(
          REGIONS.map(erpnextConnectorFor),
          'workdayEmployeeImport',
          async (refused) => {
            for (const c of [...waiting]) if (!refused.includes(c)) waiting.delete(c);
            return step(refused.map(regionOfErpnextConnector));
          },
          (connector) => {
            if (!waiting.has(connector)) report.breakerOpenings++;
            waiting.add(connector);
          },
        )
      : callThroughBreaker(breaker, () => step([]));
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
        await throughBreakers((defer) => importNextPage(progress, input.heartbeatTimeout, defer)),
      );
      report.delta.pages++;
      setCurrentDetails(progressLine(report));
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
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const onBatch = (batch: StepCounts) => {
    addStep(report, batch);
    setCurrentDetails(progressLine(report));
  };
  if (hasBatchStarts(full)) {
    // Every lane asks each region's breaker per batch: the breaker counts failures and announces
    // its transitions itself, so two lanes meeting one outage open and announce it once.
    const defaultLanes = patched('workday-three-batch-lanes')
      ? DEFAULT_BATCH_LANES
      : FORMER_DEFAULT_BATCH_LANES;
    const lanes = { batchSize, lanes: input.batchLanes ?? defaultLanes, maxBatches: STEPS_PER_RUN };
    for (let steps = 0; full.batchStarts.length > 0; steps += STEPS_PER_RUN) {
      await continueIfLong(steps, { decision: full.decision, full });
      await importRound(
        full,
        { ...lanes, heartbeatTimeout: input.heartbeatTimeout },
        throughBreakers,
        onBatch,
      );
    }
    return finish('completed');
  }
  // Runs scanned before batch starts were noted: one batch after the other, each from where the last ended.
  for (let steps = 0; ; steps++) {
    await continueIfLong(steps, { decision: full.decision, full });
    const batch = await throughBreakers((defer) =>
      importNextBatch(full, batchSize, input.heartbeatTimeout, defer),
    );
    onBatch(batch);
    if (batch.done) break;
  }
  return finish('completed');
}
