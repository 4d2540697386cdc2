// A list send interrupted mid-list resumes without mailing anyone twice or skipping anyone, even
// when the suppression list changed between the attempts (the retry's target list is recomputed,
// so an index into it would point past someone); its heartbeat holds short address keys, never an
// address. Alert mail is tagged with the alert's connector, sanitised to SES's tag characters.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  connectorTag,
  createEmailActivities,
  type EmailDelivery,
  type Mailer,
} from '../../src/activities/email';
import type { Digest } from '../../src/domain/digest';
import type { OutboundEmail } from '../../src/vendors/ses';
import { addressKey } from '../../src/vendors/sesAddress';

const LIST = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'];

/** The sesFeedback workflow as the activity's Temporal client sees it: these addresses suppressed. */
function feedbackClient(suppressed: () => string[]): Client {
  const handle = {
    query: async (name: string, keys?: string[]) => {
      if (name === 'suppressed') {
        const hit = new Set(suppressed().map(addressKey));
        return (keys ?? []).filter((k) => hit.has(k));
      }
      return [];
    },
  };
  return {
    workflow: { getHandle: () => handle },
    withAbortSignal: <R>(_signal: AbortSignal, fn: () => Promise<R>) => fn(),
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
  } as unknown as Client;
}

const digest: Digest = {
  since: '2026-11-30T00:00:00Z',
  until: '2026-12-01T00:00:00Z',
  connectors: [],
  notes: [],
};

describe('email: a list send resumes by the addresses it already mailed', () => {
  it('a retry after the suppression list changed mails the rest, none twice, none skipped', async () => {
    const mailed: string[] = [];
    let failOn: string | undefined = 'cat@example.com';
    const mailer: Mailer = {
      async send(m: OutboundEmail) {
        const to = m.to[0]!;
        if (to === failOn) {
          failOn = undefined;
          throw new Error('connection reset');
        }
        mailed.push(to);
        return { messageId: `m-${mailed.length}` };
      },
    };
    let suppressed: string[] = [];
    const activities = createEmailActivities({
      client: mailer,
      recipients: {},
      digestTo: LIST,
    });
    const run = (attempt: number, heartbeatDetails: unknown) => {
      const env = new MockActivityEnvironment(
        { attempt, heartbeatDetails },
        { logger: new DefaultLogger('ERROR'), client: feedbackClient(() => suppressed) },
      );
      const beats: unknown[] = [];
      env.on('heartbeat', (d: unknown) => beats.push(d));
      return { beats, result: env.run(() => activities.emailDigest(digest)) as Promise<EmailDelivery> };
    };

    const first = run(1, undefined);
    await assert.rejects(first.result);
    assert.deepEqual(mailed, ['ann@example.com', 'bob@example.com']);
    const last = first.beats.at(-1) as { done: string[]; sent: number };
    assert.equal(last.sent, 2);
    assert.equal(last.done.length, 2);
    assert.ok(!JSON.stringify(first.beats).includes('@'), 'no address in a heartbeat');

    // Meanwhile ann bounced: the retry's list is [bob, cat, dan]. An index (2) would skip cat.
    suppressed = ['ann@example.com'];
    const second = run(2, last);
    const delivery = await second.result;
    assert.deepEqual(mailed, LIST, 'each mailed once, in order');
    assert.equal(delivery.status, 'sent');
    assert.equal(delivery.sent, 4);
    assert.equal(delivery.suppressed, 1);
  });

  it('an attempt started by an older worker (an index heartbeat) still resumes after it', async () => {
    const mailed: string[] = [];
    const activities = createEmailActivities({
      client: { send: async (m) => (mailed.push(m.to[0]!), { messageId: 'm' }) },
      recipients: {},
      digestTo: LIST,
    });
    const env = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: { next: 3, sent: 3, rejected: 0 } },
      { logger: new DefaultLogger('ERROR'), client: feedbackClient(() => []) },
    );
    const delivery = (await env.run(() => activities.emailDigest(digest))) as EmailDelivery;
    assert.deepEqual(mailed, ['dan@example.com']);
    assert.equal(delivery.sent, 4);
  });

  it("alert mail is tagged with the alert's connector, in SES's tag characters", async () => {
    const tags: Record<string, string>[] = [];
    const activities = createEmailActivities({
      client: { send: async (m) => (tags.push(m.tags ?? {}), { messageId: 'm' }) },
      recipients: { alerts: 'ops@example.com' },
    });
    const env = new MockActivityEnvironment(
      {},
      { logger: new DefaultLogger('ERROR'), client: feedbackClient(() => []) },
    );
    await env.run(() =>
      activities.emailAlert({ title: 't', severity: 'critical', summary: 's', connector: 'erpnext' }, [
        'slack',
      ]),
    );
    await env.run(() => activities.emailAlert({ title: 't', severity: 'critical', summary: 's' }, ['slack']));
    assert.deepEqual(tags, [
      { connector: 'erpnext', kind: 'alert' },
      { connector: 'platform', kind: 'alert' },
    ]);
    assert.equal(connectorTag('workday eu/sftp.v2'), 'workday_eu_sftp_v2');
    assert.equal(connectorTag(' ✓ '), 'platform');
    assert.equal(connectorTag('x'.repeat(300)).length, 256);
  });
});
