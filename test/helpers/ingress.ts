// Fakes of what the ingress talks to (Temporal, Slack's Web API) and a request signer, for the
// route tests: Temporal's dedupe (an update id runs once, a workflow id starts once) is modelled.
import type { IngressMetrics } from '../../src/ingress/metrics';
import type { SlackMessageBody, SlackPeople } from '../../src/ingress/slackPeople';
import { slackSignature } from '../../src/ingress/slackSignature';
import type { EventStart, TemporalGateway, UpdateOutcome, UpdateStart } from '../../src/ingress/temporal';

/**
 * Temporal as the ingress sees it: an id runs once (again after a failed run with `failed-only`
 * reuse); `down` makes every call fail.
 */
export class FakeTemporal implements TemporalGateway {
  down = false;
  readonly started = new Map<string, EventStart>();

  /** Every start Temporal took, in order (a failed run started again is there twice). */
  readonly starts: EventStart[] = [];
  /** Runs that ended failed (or timed out, cancelled, terminated): `failed-only` reuse restarts them. */
  readonly failed = new Set<string>();

  async signalWithStart(start: EventStart): Promise<'started' | 'duplicate'> {
    if (this.down) throw new Error('14 UNAVAILABLE: connection refused');
    const restart = start.reuse === 'failed-only' && this.failed.has(start.workflowId);
    if (this.started.has(start.workflowId) && !restart) return 'duplicate';
    this.failed.delete(start.workflowId);
    this.started.set(start.workflowId, start);
    this.starts.push(start);
    return 'started';
  }

  readonly applied: { workflowId: string; name: string; args: unknown; updateId: string }[] = [];
  private readonly outcomes = new Map<string, UpdateOutcome>();
  refuseWith?: string;

  async update(workflowId: string, name: string, args: unknown, updateId: string): Promise<UpdateOutcome> {
    if (this.down) throw new Error('14 UNAVAILABLE: connection refused');
    const seen = this.outcomes.get(updateId);
    if (seen) return seen;
    const outcome: UpdateOutcome = this.refuseWith
      ? { status: 'refused', reason: this.refuseWith }
      : { status: 'done', result: { accepted: true } };
    if (outcome.status === 'done') this.applied.push({ workflowId, name, args, updateId });
    this.outcomes.set(updateId, outcome);
    return outcome;
  }

  async updateWithStart(start: UpdateStart): Promise<UpdateOutcome> {
    return this.update(start.workflowId, start.update, start.updateArgs, start.updateId);
  }

  async query<T>(): Promise<T | undefined> {
    return undefined;
  }

  readonly signals: { workflowId: string; name: string; args: unknown }[] = [];
  /** Runs that have ended: a signal to them answers `closed`. */
  readonly closed = new Set<string>();

  async signal(workflowId: string, name: string, args: unknown): Promise<'signalled' | 'closed'> {
    if (this.down) throw new Error('14 UNAVAILABLE: connection refused');
    if (this.closed.has(workflowId)) return 'closed';
    this.signals.push({ workflowId, name, args });
    return 'signalled';
  }
}

export class FakeSlack implements SlackPeople {
  readonly responses: { url: string; body: SlackMessageBody }[] = [];
  cabMembers = new Set<string>(['U0CABCHAIR']);
  async actor(userId: string) {
    return { id: userId, name: userId === 'U0DANA' ? 'Dana' : 'Sam' };
  }
  async inUsergroup(_group: string, userId: string) {
    return this.cabMembers.has(userId);
  }
  async respond(url: string, body: SlackMessageBody) {
    this.responses.push({ url, body });
  }
}

export function signRequest(
  body: string,
  secret: string,
  at: number,
  contentType = 'application/x-www-form-urlencoded',
) {
  const timestamp = String(Math.floor(at / 1000));
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(secret, timestamp, Buffer.from(body)),
  };
}

export async function count(
  metrics: IngressMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const hit = metric.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}
