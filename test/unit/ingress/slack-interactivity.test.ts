// The Slack route against a fake Temporal and a fake Slack: what a signed click does, what an
// unsigned, stale or oversized request does not do, rotation, and Temporal being away.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { useAuditWriter, type AuditRecord } from '../../../src/audit';
import { actionsBlock, cabActions, renewalReminderActions } from '../../../src/domain/alertActions';
import { createIngressMetrics, type IngressMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { registerSlackRoutes } from '../../../src/ingress/slack';
import { count, FakeSlack, FakeTemporal, signRequest } from '../../helpers/ingress';

const SECRET = 'new-signing-secret';
const OLD_SECRET = 'old-signing-secret';
const NOW = Date.parse('2026-11-30T14:02:00Z');
const WF = 'certificate-renewal-erp.example.com';

const signed = (body: string, secret = SECRET, at = NOW) => signRequest(body, secret, at);

function clickBody(actionId: string, user = 'U0DANA', actionTs = '1796047320.000100'): string {
  const blocks = [
    { type: 'header', block_id: 'h', text: { type: 'plain_text', text: 'Reminder' } },
    actionsBlock([...renewalReminderActions(WF), ...cabActions(WF)]),
  ];
  const value = JSON.stringify({ w: WF });
  const payload = {
    type: 'block_actions',
    team: { id: 'T0SIMTEAM1' },
    user: { id: user, username: user.toLowerCase() },
    response_url: 'https://hooks.slack.com/actions/T0/1/abc',
    message: { blocks },
    actions: [{ action_id: actionId, value, action_ts: actionTs, type: 'button' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

describe('ingress: Slack interactivity', () => {
  let app: FastifyInstance;
  let temporal: FakeTemporal;
  let slack: FakeSlack;
  let metrics: IngressMetrics;
  let audit: AuditRecord[];

  const build = async (previous?: string) => {
    await app?.close();
    temporal = new FakeTemporal();
    slack = new FakeSlack();
    metrics = createIngressMetrics();
    app = createIngressServer(metrics, 64 * 1024);
    registerSlackRoutes(app, {
      secrets: { current: SECRET, previous },
      temporal,
      slack,
      cabUsergroup: 'S0CAB',
      statusTable: async () => 'CONNECTOR  LAST RUN',
      metrics,
      log: pino({ level: 'silent' }),
      now: () => NOW,
    });
  };
  const post = (body: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/slack/interactivity', payload: body, headers });

  beforeEach(async () => {
    audit = [];
    useAuditWriter((r) => audit.push(r));
    await build(OLD_SECRET);
  });
  after(async () => {
    await app.close();
    useAuditWriter(() => {});
  });

  it('acknowledges with the clicker as `who` and replaces the message with who did it, without buttons', async () => {
    const body = clickBody('renewal.acknowledge');
    const response = await post(body, signed(body));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(temporal.applied, [
      {
        workflowId: WF,
        name: 'acknowledge',
        args: { who: 'Dana' },
        updateId: 'slack-T0SIMTEAM1-U0DANA-1796047320.000100',
      },
    ]);
    const [reply] = slack.responses;
    assert.equal(reply?.body.replace_original, true);
    assert.equal(reply?.body.text, 'Acknowledged by Dana, 14:02 UTC');
    assert.ok(
      !reply?.body.blocks?.some((b) => (b as { type: string }).type === 'actions'),
      'no buttons left',
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, 'Dana');
    assert.equal(audit[0]?.outcome, 'success');
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'accepted' }), 1);
  });

  it('snoozes for 4 hours from the click', async () => {
    const body = clickBody('renewal.snooze');
    assert.equal((await post(body, signed(body))).statusCode, 200);
    assert.deepEqual(temporal.applied[0]?.args, { who: 'Dana', until: '2026-11-30T18:02:00.000Z' });
  });

  it('refuses a tampered body, a wrong secret and a 6-minute-old timestamp with 401, and acts on none', async () => {
    const body = clickBody('renewal.acknowledge');
    const tampered = body.replace('U0DANA', 'U0MALLORY');
    const cases = [
      { body: tampered, headers: signed(body) },
      { body, headers: signed(body, 'someone-elses-secret') },
      { body, headers: signed(body, SECRET, NOW - 6 * 60 * 1000) },
      { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ];
    for (const c of cases) {
      const response = await post(c.body, c.headers);
      assert.equal(response.statusCode, 401);
      assert.equal(response.body, '', 'a refusal carries no detail');
    }
    assert.deepEqual(temporal.applied, []);
    assert.deepEqual(slack.responses, []);
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'refused_signature' }), 3);
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'stale' }), 1);
  });

  it('accepts the previous secret during a rotation and counts which secret matched; only the new one after', async () => {
    const first = clickBody('renewal.acknowledge', 'U0DANA', '1.1');
    const second = clickBody('renewal.acknowledge', 'U0DANA', '1.2');
    assert.equal((await post(first, signed(first, OLD_SECRET))).statusCode, 200);
    assert.equal((await post(second, signed(second, SECRET))).statusCode, 200);
    assert.equal(await count(metrics, 'ingress_signing_secret_matches_total', { secret: 'previous' }), 1);
    assert.equal(await count(metrics, 'ingress_signing_secret_matches_total', { secret: 'current' }), 1);

    await build(undefined);
    const third = clickBody('renewal.acknowledge', 'U0DANA', '1.3');
    assert.equal((await post(third, signed(third, OLD_SECRET))).statusCode, 401);
    assert.equal((await post(third, signed(third, SECRET))).statusCode, 200);
  });

  it('answers 503 while Temporal is away, and the retried delivery lands once', async () => {
    const body = clickBody('renewal.acknowledge');
    temporal.down = true;
    assert.equal((await post(body, signed(body))).statusCode, 503);
    assert.deepEqual(slack.responses, [], 'nothing is told before Temporal took it');
    temporal.down = false;
    const retry = { ...signed(body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' };
    assert.equal((await post(body, retry)).statusCode, 200);
    assert.equal((await post(body, { ...retry, 'x-slack-retry-num': '2' })).statusCode, 200);
    assert.equal(temporal.applied.length, 1);
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'upstream_failure' }), 1);
  });

  it('refuses a CAB click from a non-member, ephemerally, and audits it', async () => {
    const body = clickBody('renewal.cabApprove', 'U0SAM');
    assert.equal((await post(body, signed(body))).statusCode, 200);
    assert.equal(temporal.applied.length, 0, 'nothing reached Temporal');
    assert.equal(slack.responses[0]?.body.response_type, 'ephemeral');
    assert.equal(slack.responses[0]?.body.replace_original, false);
    assert.match(slack.responses[0]?.body.text ?? '', /CAB user group/);
    assert.equal(audit[0]?.outcome, 'rejected');
    assert.equal(audit[0]?.actor, 'Sam');

    const chair = clickBody('renewal.cabApprove', 'U0CABCHAIR');
    assert.equal((await post(chair, signed(chair))).statusCode, 200);
    assert.deepEqual(temporal.applied[0]?.args, { approved: true, who: 'Sam' });
  });

  it("shows the workflow's refusal to the clicker only", async () => {
    temporal.refuseWith = 'level 1 is already acknowledged';
    const body = clickBody('renewal.acknowledge');
    assert.equal((await post(body, signed(body))).statusCode, 200);
    assert.equal(slack.responses[0]?.body.response_type, 'ephemeral');
    assert.equal(slack.responses[0]?.body.text, 'Not done: level 1 is already acknowledged');
  });

  it('answers 413 for a body over the limit and 400 for a signed but malformed one', async () => {
    const big = 'payload=' + 'x'.repeat(70 * 1024);
    assert.equal((await post(big, signed(big))).statusCode, 413);
    const junk = 'payload=%7Bnot-json';
    assert.equal((await post(junk, signed(junk))).statusCode, 400);
    assert.deepEqual(temporal.applied, []);
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'too_large' }), 1);
    assert.equal(await count(metrics, 'ingress_requests_total', { outcome: 'invalid' }), 1);
  });

  it('answers the slash command to the asker only', async () => {
    const body = new URLSearchParams({
      command: '/integrations',
      text: 'status',
      user_id: 'U0DANA',
    }).toString();
    const response = await post(body, signed(body));
    assert.equal(response.statusCode, 200);
    const answer = response.json() as { response_type: string; text: string };
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(answer.text, /CONNECTOR/);
  });
});
