// What the people on a renewal's escalation ladder read: the step's alert and how to act on it.
import type { Alert } from '../../domain/alert';
import type { LadderStep } from '../../domain/escalation';

/** How a person acts on an escalation: the Web UI's Send an Update, or the CLI. */
export const ACT_WITH =
  'Send an Update `acknowledge` with {"who":"<your name>"} (or `snooze`, `escalateNow`, `cancel`); CLI: npm run cli -- renewal acknowledge <host> --who <name>';

/** The alert of one ladder step; `facts` carries what else they must know (an unreachable host). */
export function escalationAlert(
  step: LadderStep,
  input: { host: string; port: number; expiresAt: string },
  connector: string,
  reference: string,
  facts: Alert['facts'],
): Omit<Alert, 'connector'> {
  if (step.action === 'outage')
    return {
      title: `OUTAGE: certificate of ${input.host} expired`,
      severity: 'critical',
      summary: `The certificate expired at ${input.expiresAt}. The ${connector} circuit breaker is open: syncs wait instead of failing.`,
      facts,
    };
  return {
    title: `Escalation ${step.level} (${step.name}): certificate of ${input.host}`,
    severity: step.level >= 3 ? 'critical' : 'warning',
    summary: `Certificate of ${input.host}:${input.port} expires ${input.expiresAt}; escalated to ${step.audience} (vendor reference ${reference}).`,
    facts: [...(facts ?? []), { name: 'Act with', value: ACT_WITH }],
  };
}
