// salesforceSettings: the Salesforce connector's settings workflow (singleton `salesforce-settings`)
// and its request pool across all workers: a workflow that calls Salesforce asks for a lease
// (`acquire`), gets `leaseGranted` when one of `poolSize` slots is free, and releases it after.
// A worker-local limit (maxConcurrentActivityTaskExecutions) only bounds one process, and the
// server's activities-per-second limit bounds a rate, not how many calls are open at once; this
// bounds the open calls wherever the workers run. Leases of a holder that died expire.
// The pool size changes only through `setPoolSize` naming a CAB-approved ServiceNow change and the
// network team's NET-771; anything else is refused and audited.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { durationMs } from '../domain/duration';
import { leaseArgs, salesforceSettingsInput, setPoolSizeArgs } from '../domain/inputs/salesforce';
import { refusal } from '../domain/inputs/parse';
import { DEFAULT_POOL_SIZE, POOL_CHANGE_DEPENDENCY, SALESFORCE_CONNECTOR } from '../domain/salesforce';
import { auditEvent } from './shared/audit';
import { signalArg, updateArgValidator } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export interface SalesforceSettingsInput {
  poolSize?: number;
  leaseTtl?: string | number;
  changes?: Record<string, unknown>[];
}

export interface PoolSizeChange {
  poolSize: number;
  changeNumber: string;
  dependency: string;
  who: string;
  reason?: string;
}

export interface PoolState {
  poolSize: number;
  inUse: number;
  waiting: number;
  changes: Record<string, unknown>[];
}

export const acquireSignal = defineSignal<[{ workflowId: string; leaseId: string }]>('acquire');
export const releaseSignal = defineSignal<[{ workflowId: string; leaseId: string }]>('release');
export const leaseGrantedSignal = defineSignal<[string]>('leaseGranted');
export const setPoolSizeUpdate = defineUpdate<PoolState, [PoolSizeChange]>('setPoolSize');
export const poolQuery = defineQuery<PoolState>('pool');

const { salesforceCabApproval } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const HANDLED_BEFORE_CONTINUE = 2_000;

export async function salesforceSettings(raw: SalesforceSettingsInput): Promise<void> {
  const input = beginRun(salesforceSettingsInput, raw, () => ({
    connector: SALESFORCE_CONNECTOR,
    details:
      'Salesforce settings: the request pool shared by every worker, resized only with CAB approval and NET-771.',
  }));
  let poolSize = input.poolSize ?? DEFAULT_POOL_SIZE;
  const leaseTtlMs = durationMs((input.leaseTtl ?? '15 minutes') as never);
  const changes = [...(input.changes ?? [])];
  const held = new Map<string, { workflowId: string; until: number }>();
  const waiting: { workflowId: string; leaseId: string }[] = [];
  let handled = 0;

  const state = (): PoolState => ({
    poolSize,
    inUse: held.size,
    waiting: waiting.length,
    changes: [...changes],
  });

  setHandler(acquireSignal, (rawArg) => {
    handled++;
    const arg = signalArg(leaseArgs, rawArg, 'acquire');
    if (arg && !held.has(arg.leaseId) && !waiting.some((w) => w.leaseId === arg.leaseId)) waiting.push(arg);
  });
  setHandler(releaseSignal, (rawArg) => {
    handled++;
    const arg = signalArg(leaseArgs, rawArg, 'release');
    if (!arg) return;
    held.delete(arg.leaseId);
    const queued = waiting.findIndex((w) => w.leaseId === arg.leaseId);
    if (queued >= 0) waiting.splice(queued, 1);
  });
  setHandler(poolQuery, state);
  const checkArgs = updateArgValidator(setPoolSizeArgs, 'setPoolSize');
  setHandler(
    setPoolSizeUpdate,
    async (change) => {
      handled++;
      const cab = await salesforceCabApproval({ changeNumber: change.changeNumber });
      const record = {
        at: new Date().toISOString(),
        who: change.who,
        from: poolSize,
        to: change.poolSize,
        changeNumber: change.changeNumber,
        dependency: change.dependency,
        outcome: cab.approved ? 'applied' : 'refused',
      };
      changes.push(record);
      if (changes.length > 20) changes.splice(0, changes.length - 20);
      auditEvent({
        actor: change.who,
        action: 'salesforce.pool-size',
        target: `${poolSize}->${change.poolSize}`,
        outcome: record.outcome,
        detail: {
          changeNumber: change.changeNumber,
          approval: cab.approval ?? 'not found',
          dependency: change.dependency,
        },
      });
      if (!cab.approved)
        throw refusal(
          `${change.changeNumber} is ${cab.found ? `not approved (approval: ${cab.approval ?? 'none'})` : 'not a change request in ServiceNow'}: the pool stays at ${poolSize}`,
          'ChangeNotApproved',
        );
      poolSize = change.poolSize;
      return state();
    },
    {
      validator: (arg) => {
        try {
          checkArgs(arg);
        } catch (err) {
          // Refused before the handler runs: audited here, since nothing else records it.
          const a = (arg ?? {}) as Partial<PoolSizeChange>;
          auditEvent({
            actor: typeof a.who === 'string' ? a.who : 'unknown',
            action: 'salesforce.pool-size',
            target: `${poolSize}->${String(a.poolSize)}`,
            outcome: 'refused',
            detail: { reason: `invalid request: needs an approved CAB change and ${POOL_CHANGE_DEPENDENCY}` },
          });
          throw err;
        }
      },
    },
  );
  dropUnknownSignals();

  for (;;) {
    const now = Date.now();
    for (const [leaseId, lease] of held)
      if (lease.until <= now) {
        log.warn('Salesforce pool lease expired', { leaseId, holder: lease.workflowId });
        held.delete(leaseId);
      }
    while (held.size < poolSize && waiting.length > 0) {
      const next = waiting.shift()!;
      held.set(next.leaseId, { workflowId: next.workflowId, until: Date.now() + leaseTtlMs });
      try {
        await getExternalWorkflowHandle(next.workflowId).signal(leaseGrantedSignal, next.leaseId);
      } catch {
        held.delete(next.leaseId); // the holder is gone
      }
    }
    if (handled >= HANDLED_BEFORE_CONTINUE || workflowInfo().continueAsNewSuggested) {
      if (held.size === 0 && waiting.length === 0) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof salesforceSettings>({ poolSize, leaseTtl: input.leaseTtl, changes });
      }
    }
    const earliest = Math.min(...[...held.values()].map((l) => l.until));
    const ready = () => (waiting.length > 0 && held.size < poolSize) || handled >= HANDLED_BEFORE_CONTINUE;
    const before = handled;
    const wake = () => ready() || handled !== before;
    if (Number.isFinite(earliest)) await condition(wake, Math.max(1, earliest - Date.now()));
    else await condition(wake);
  }
}
