// Workflow bundle for the ServiceNow workflow tests: every real workflow plus a stand-in for a
// workflow that waits for a change request's CAB decision (the certificate renewal will be one).
import { condition, setHandler } from '@temporalio/workflow';
import type { CabDecision } from '../../src/domain/servicenow';
import { cabDecisionSignal } from '../../src/workflows/servicenowIncidentSync';

export * from '../../src/workflows';

export async function cabWaiter(): Promise<CabDecision> {
  let decision: CabDecision | undefined;
  setHandler(cabDecisionSignal, (d) => {
    decision ??= d;
  });
  await condition(() => decision !== undefined);
  return decision!;
}
