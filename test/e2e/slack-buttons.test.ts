// One-click answers end to end: a real renewal on the dev server posts its alerts with buttons to
// the Slack simulator; the simulator clicks them as a person (signed as Slack signs) into the real
// ingress; the renewal takes the action and the message shows who acted. Acts only through the
// simulator, checks what Slack and the workflow would show.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createIngress } from '../../src/ingress';
import { loadIngressConfig } from '../../src/ingress/config';
import { certificateRenewalWorkflowId, renewalStatus } from '../../src/workflows/certificateRenewal/messages';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { eventually } from '../helpers/waitFor';
import { certificateRenewal } from '../../src/workflows';

const TASK_QUEUE = 'integrations-slack-buttons-e2e';
const DANA = 'U0SIMDANA1';
const SAM = 'U0SIMSAM01';

interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: { type: string; elements?: { action_id: string }[] }[];
}

const buttonsOf = (m: SimMessage) =>
  (m.blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id));

describe('e2e: Slack buttons act on a running renewal through the ingress', () => {
  // Teams cards carry action links to the ingress; its address is only known once it listens, so
  // the links name a placeholder host and the test opens their path on the real one.
  const LINKS = { ACTION_LINK_BASE_URL: 'https://ingress.invalid', ACTION_LINK_SECRET: 'e2e-link-secret' };
  const stack = useE2eStack(TASK_QUEUE, { env: () => LINKS });
  let ingress: ReturnType<typeof createIngress> | undefined;
  let requestUrl = '';
  let eventsUrl = '';
  let ingressBase = '';

  before(async () => {
    const { simulators, env } = stack();
    const config = loadIngressConfig({
      ...simulators.env,
      ...LINKS,
      TASK_QUEUE,
      AUDIT_LOG: 'off',
      LOG_LEVEL: 'silent',
    });
    ingress = createIngress(config, env.client);
    await ingress.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(ingress.app.server.address() as AddressInfo).port}`;
    ingressBase = base;
    requestUrl = `${base}/slack/interactivity`;
    eventsUrl = `${base}/slack/events`;
  });
  after(() => ingress?.app.close());

  it('acknowledges from a button, shows who, ignores the retried delivery, and keeps CAB to its members', async () => {
    const { env, simulators, caPem } = stack();
    const slack = simulators.sims.slack.url;
    const erpnext = simulators.sims.erpnext.url;
    await admin(erpnext, 'certificate', { daysValid: 10 }, caPem);
    const workflowId = certificateRenewalWorkflowId('localhost');
    const renewal = await env.client.workflow.start(certificateRenewal, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [
        {
          host: 'localhost',
          port: Number(new URL(erpnext).port),
          expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        },
      ],
    });
    const messages = () => admin(slack, 'messages', undefined, caPem) as Promise<SimMessage[]>;
    const click = (m: SimMessage, actionId: string, user: string, extra: object = {}) =>
      admin(
        slack,
        'click',
        { requestUrl, channel: m.channel, ts: m.ts, actionId, user, ...extra },
        caPem,
      ) as Promise<{
        status: number;
        actionTs: string;
      }>;

    const escalation = await eventually(
      async () => (await messages()).find((m) => m.text.includes('Escalation 1') && buttonsOf(m).length > 0),
      (m) => m !== undefined,
    );
    assert.deepEqual(buttonsOf(escalation!), [
      'renewal.acknowledge',
      'renewal.escalateNow',
      'renewal.snooze',
    ]);

    const first = await click(escalation!, 'renewal.acknowledge', DANA);
    assert.equal(first.status, 200);
    const status = await renewal.query(renewalStatus);
    assert.equal(status.acknowledged, true);
    const replaced = (await messages()).find((m) => m.ts === escalation!.ts)!;
    assert.match(replaced.text, /^Acknowledged by Dana, \d\d:\d\d UTC$/);
    assert.deepEqual(buttonsOf(replaced), [], 'the buttons are gone');

    // Slack retries the same delivery (same action_ts): 200 and nothing happens twice.
    const retried = await click(escalation!, 'renewal.acknowledge', DANA, {
      actionTs: first.actionTs,
      retryNum: 1,
    });
    assert.equal(retried.status, 200);
    const acks = (await renewal.query(renewalStatus)).actions.filter((a) => a.action === 'acknowledge');
    assert.deepEqual(
      acks.map((a) => a.who),
      ['Dana'],
    );

    // CAB buttons on the opening alert: Sam is not in the CAB group, Dana is.
    const opened = (await messages()).find((m) => m.text.includes('Certificate renewal opened'))!;
    assert.deepEqual(buttonsOf(opened), ['renewal.cabApprove', 'renewal.cabReject']);
    assert.equal((await click(opened, 'renewal.cabApprove', SAM)).status, 200);
    const ephemeral = (await admin(slack, 'ephemeral', undefined, caPem)) as { user: string; text: string }[];
    assert.deepEqual(
      ephemeral.map((e) => [e.user, e.text]),
      [[SAM, 'Not done: only members of the CAB user group can decide']],
    );
    assert.equal((await renewal.query(renewalStatus)).cab, 'pending');

    // A forged click (wrong secret) and a 6-minute-old one by a member are refused and change nothing.
    const forged = await click(opened, 'renewal.cabApprove', DANA, { signingSecret: 'not-the-app-secret' });
    const stale = await click(opened, 'renewal.cabApprove', DANA, { timestampOffsetSeconds: -360 });
    assert.deepEqual([forged.status, stale.status], [401, 401]);
    assert.equal((await renewal.query(renewalStatus)).cab, 'pending');
    assert.equal((await click(opened, 'renewal.cabApprove', DANA)).status, 200);
    assert.equal((await renewal.query(renewalStatus)).cab, 'approved');

    // Teams: the same escalation as an Adaptive Card whose buttons are action links. A link
    // scanner's GET changes nothing; the POST from the confirmation page acts.
    const cards = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as {
      attachments: { content: string }[];
    }[];
    const escalationCard = cards
      .map(
        (m) =>
          JSON.parse(m.attachments[0]?.content ?? '{}') as {
            body?: { text?: string }[];
            actions?: { title: string; url: string }[];
          },
      )
      .find((c) => c.body?.[0]?.text?.includes('Escalation 1'));
    const escalateLink = escalationCard?.actions?.find((a) => a.title === 'Escalate now')?.url;
    assert.ok(escalateLink?.startsWith('https://ingress.invalid/actions/'), 'the card links to the ingress');
    const onIngress = `${ingressBase}${new URL(escalateLink!).pathname}`;
    const scanned = await fetch(onIngress);
    assert.equal(scanned.status, 200);
    assert.match(await scanned.text(), /Nothing has been done yet/);
    assert.equal((await renewal.query(renewalStatus)).level, 1, 'a GET escalates nothing');
    const confirmed = await fetch(onIngress, { method: 'POST' });
    assert.equal(confirmed.status, 200);
    const escalated = await renewal.query(renewalStatus);
    assert.equal(escalated.level, 2);
    assert.equal(
      escalated.actions.find((a) => a.action === 'escalateNow')?.who,
      `teams:channel-integration-ops`,
    );

    await renewal.executeUpdate('cancel', { args: [{ who: 'e2e', reason: 'test over' }] });
    await renewal.result();
  });

  it('starts one slackEvent run per Slack event; the retried delivery starts nothing', async () => {
    const { env, simulators, caPem } = stack();
    const send = (body: object) =>
      admin(simulators.sims.slack.url, 'event', { requestUrl: eventsUrl, ...body }, caPem) as Promise<{
        status: number;
        eventId: string;
      }>;
    const first = await send({ event: { type: 'app_mention', channel: 'C0OPS', user: DANA, text: 'hi' } });
    assert.equal(first.status, 200);
    const retried = await send({ eventId: first.eventId, retryNum: 1, event: { type: 'app_mention' } });
    assert.equal(retried.status, 200);
    const handle = env.client.workflow.getHandle(`slack-event-T0SIMTEAM1-${first.eventId}`);
    const result = (await handle.result()) as { eventId: string; type: string; user: string };
    assert.deepEqual([result.eventId, result.type, result.user], [first.eventId, 'app_mention', DANA]);
    // After the run closed, Slack's third try is refused by the id reuse policy: still one run.
    assert.equal(
      (await send({ eventId: first.eventId, retryNum: 2, event: { type: 'app_mention' } })).status,
      200,
    );
    const runs = await env.client.workflow.count(`WorkflowId = 'slack-event-T0SIMTEAM1-${first.eventId}'`);
    assert.equal(runs.count, 1);
    const history = JSON.stringify((await handle.fetchHistory()).events);
    assert.ok(!history.includes('"hi"') && !history.includes('aGk'), 'message text stays out of history');
  });
});
