// runFailureAlert: announces one failed run (started by the failure interceptor, one per failed
// run, id `run-failed-<runId>`). A workflow of its own so the failed run ends at once and the
// alert still gets the chat retries and the email failover.
import type { RunRef } from '../domain/alert';
import { runFailureAlertInput } from '../domain/inputs/platform';
import { announce, type Announcement } from './shared/announce';
import { beginRun } from './shared/runStart';

export interface RunFailureAlertInput {
  run: RunRef & { workflowType: string };
  connector: string;
  /** The failure's type (`InvalidInput`, `ActivityFailure`, ...) and message. */
  failureType: string;
  reason: string;
}

export function runFailureAlertWorkflowId(runId: string): string {
  return `run-failed-${runId}`;
}

export async function runFailureAlert(raw: RunFailureAlertInput): Promise<Announcement> {
  const { run, connector, failureType, reason } = beginRun(runFailureAlertInput, raw, (i) => ({
    connector: i.connector,
    details: `Announces the failed run ${i.run.workflowId} (${i.run.workflowType}).`,
  }));
  return announce({
    title: `Run failed: ${run.workflowType} (${connector})`,
    severity: 'critical',
    summary: `${failureType}: ${reason}`,
    facts: [
      {
        name: 'Act with',
        value: 'open the run, fix the cause, then start it again (or wait for its schedule)',
      },
    ],
    connector,
    run: { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId },
  });
}
