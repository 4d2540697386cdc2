// The fallback for where a manually started delta begins: the newest completed delta import found
// in Temporal's visibility. Scheduled deltas do not need it (they carry the schedule's last result).
import { Context, log } from '@temporalio/activity';

const LOOK_AT_MOST = 25;

interface DeltaResult {
  mode?: string;
  outcome?: string;
  delta?: { through?: string };
}

export function createWorkdayCursorActivities() {
  return {
    async workdayLastDeltaCursor(): Promise<string | undefined> {
      const { client } = Context.current();
      const query = `WorkflowType = 'workdayEmployeeImport' AND ExecutionStatus = 'Completed'`;
      let newest: string | undefined;
      let looked = 0;
      try {
        for await (const run of client.workflow.list({ query })) {
          if (++looked > LOOK_AT_MOST) break;
          const result = (await client.workflow.getHandle(run.workflowId, run.runId).result()) as DeltaResult;
          const through =
            result?.mode === 'delta' && result.outcome === 'completed' ? result.delta?.through : undefined;
          if (through && (!newest || through > newest)) newest = through;
        }
      } catch (err) {
        // A server without visibility (the time-skipping test server) has no history to offer.
        log.warn('no previous delta found in visibility', { error: (err as Error).message });
      }
      return newest;
    },
  };
}
