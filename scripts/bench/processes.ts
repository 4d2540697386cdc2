// What the Workday benchmark reads from its child processes and from Temporal: peak and current
// memory from /proc, typed IPC replies, and the history of a whole continue-as-new chain.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';

/** /proc/<pid>/status fields in MB (VmHWM: peak resident set, VmRSS: current). */
export function procMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The child's next IPC message of `type`; rejects when the child exits first. */
export function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string } & T) => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

type HistoryEvent = NonNullable<History['events']>[number];

const seconds = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;

/** Seconds from scheduled to completed, summed per activity type: where a run's time went. */
function activitySeconds(events: HistoryEvent[], into: Record<string, number>): void {
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(Number(e.eventId), e);
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const start = scheduled.get(Number(done.scheduledEventId));
    const name = start?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
    into[name] = (into[name] ?? 0) + seconds(e) - seconds(start!);
  }
}

/** Every run of a continue-as-new chain, following ContinuedAsNew's new run id. */
export async function chainHistory(client: Client, workflowId: string, firstRunId: string) {
  let events = 0;
  let runs = 0;
  const activities: Record<string, number> = {};
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    events += history.events?.length ?? 0;
    activitySeconds(history.events ?? [], activities);
    runs++;
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { events, runs, activities };
}
