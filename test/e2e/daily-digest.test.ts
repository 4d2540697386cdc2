// The operations digest and the CLI status table against what really ran: runs that succeed and
// fail under their Connector attribute, an open breaker and ServiceNow change requests on the dev
// server and simulators; the digest's counts must equal the runs, Slack must hold the blocks and
// Teams the card, and `npm run cli -- status` must print the same numbers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sendToDeadLetter } from '../../src/activities/deadLetter';
import { glideDateTime } from '../../src/domain/cursor';
import type { Digest } from '../../src/domain/digest';
import { CONNECTOR_KEY } from '../../src/schedules';
import { collectStatus } from '../../src/status';
import type { IncidentEvent } from '../../src/domain/servicenow';
import { useE2eStack } from '../helpers/e2e';
import { recordHistory } from '../helpers/history';
import { admin } from '../helpers/simulators';
import { TWILIO_SIM } from '../../simulators/twilio/server';
import { eventually, waitFor } from '../helpers/waitFor';
import { circuitBreaker, dailyDigest, openIncident } from '../../src/workflows';

const TASK_QUEUE = 'daily-digest-e2e';
const HOUR = 60 * 60 * 1000;

function incident(n: number, valid: boolean): IncidentEvent {
  return {
    sourceSystem: 'digest-e2e',
    sourceId: `event-${n}`,
    title: valid ? `digest e2e incident ${n}` : '',
    severity: 'low',
  };
}

describe('e2e: daily digest and status on the dev server', () => {
  const stack = useE2eStack(TASK_QUEUE);

  it('counts the runs that happened per connector and posts blocks to Slack and a card to Teams', async () => {
    const { env, simulators, caPem, deps } = stack();
    const client = env.client;
    const run = async (connector: string, n: number, valid: boolean) => {
      const handle = await client.workflow.start(openIncident, {
        taskQueue: TASK_QUEUE,
        workflowId: `digest-e2e-${connector}-${n}`,
        args: [incident(n, valid)],
        typedSearchAttributes: [{ key: CONNECTOR_KEY, value: connector }],
      });
      return handle.result().then(
        () => 'ok',
        () => 'failed',
      );
    };
    // erpnext: 3 succeeded, 2 failed (an invalid event is refused without retries); servicenow: 2 succeeded.
    const outcomes = await Promise.all([
      run('erpnext', 1, true),
      run('erpnext', 2, true),
      run('erpnext', 3, true),
      run('servicenow', 4, true),
      run('servicenow', 5, true),
    ]);
    outcomes.push(await run('erpnext', 6, false), await run('erpnext', 7, false));
    assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'failed']);

    // The erpnext breaker opens (as a renewal would at expiry).
    const breaker = await client.workflow.start(circuitBreaker, {
      taskQueue: TASK_QUEUE,
      workflowId: 'breaker-erpnext',
      args: [{ connector: 'erpnext' }],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'erpnext' }],
    });
    await breaker.signal('open', { by: 'digest-e2e', reason: 'vendor outage' });
    // The breaker stamps the transition when it handles the signal: that must precede the digest.
    await waitFor('the breaker to open', async () => {
      const { state } = await breaker.query<{ state: string }>('state');
      return state === 'open' ? state : undefined;
    });

    // Two employees the import could not write wait in erpnext's dead-letter queue.
    const firstFailedAt = new Date(Date.now() - 2 * HOUR).toISOString();
    await sendToDeadLetter(
      client,
      TASK_QUEUE,
      ['100041', '100042'].map((key, i) => ({
        connector: 'erpnext',
        kind: 'erpnext-employee',
        key,
        payload: { employee_number: key },
        error: { type: 'VendorUnavailable', message: 'HTTP 503', chain: ['HTTP 503'] },
        failedAt: i === 0 ? firstFailedAt : new Date().toISOString(),
        source: { workflowId: 'digest-e2e-import' },
      })),
    );

    // ServiceNow: a change window tomorrow (approved) and a change awaiting CAB.
    const sn = deps.servicenow?.client;
    assert.ok(sn, 'the e2e stack configures ServiceNow');
    const tomorrow = Date.now() + 24 * HOUR;
    await sn.create('change_request', {
      short_description: 'ERP certificate swap',
      start_date: glideDateTime(tomorrow),
      end_date: glideDateTime(tomorrow + HOUR),
      approval: 'approved',
      state: '-2',
    });
    const pending = await sn.create('change_request', {
      short_description: 'Renew the Workday SFTP host key',
      approval: 'requested',
    });
    await sn.create('change_request', {
      short_description: 'Next month, out of the window',
      start_date: glideDateTime(Date.now() + 30 * 24 * HOUR),
      approval: 'approved',
    });

    // One SMS delivered today, as Twilio holds it (sent straight to the Twilio simulator's REST API).
    const twilio = simulators.sims.twilio.url;
    const basic = Buffer.from(`${TWILIO_SIM.accountSid}:${TWILIO_SIM.authToken}`).toString('base64');
    const { Agent } = await import('undici');
    const sms = await fetch(`${twilio}/2010-04-01/Accounts/${TWILIO_SIM.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        To: '+15551230009',
        MessagingServiceSid: TWILIO_SIM.messagingServiceSid,
        Body: 'x',
      }),
      ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
    });
    assert.equal(sms.status, 201);
    await admin(twilio, 'clock', { advanceSeconds: 5 }, caPem);

    await waitForVisibility(client, 'Connector = "erpnext" AND ExecutionStatus != "Running"', 5);
    await waitForVisibility(client, 'Connector = "servicenow" AND ExecutionStatus != "Running"', 2);

    const digestRun = await client.workflow.start(dailyDigest, {
      taskQueue: TASK_QUEUE,
      workflowId: 'daily-digest-e2e',
      args: [{}],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'platform' }],
    });
    const result = await digestRun.result();
    await recordHistory(digestRun, 'dailyDigest-e2e');
    const digest: Digest = result.digest;
    const erpnext = digest.connectors.find((c) => c.connector === 'erpnext');
    const servicenow = digest.connectors.find((c) => c.connector === 'servicenow');
    assert.deepEqual(erpnext?.runs, { succeeded: 3, failed: 2, stopped: 0 });
    assert.deepEqual(servicenow?.runs, { succeeded: 2, failed: 0, stopped: 0 });
    assert.deepEqual(erpnext.failedRuns.map((f) => f.workflowId).sort(), [
      'digest-e2e-erpnext-6',
      'digest-e2e-erpnext-7',
    ]);
    assert.equal(erpnext.breaker, 'open');
    assert.deepEqual(erpnext.deadLetters, { count: 2, oldestFirstFailedAt: firstFailedAt });
    assert.deepEqual(
      erpnext.actions.map((a) => [a.kind, a.detail]),
      [['breaker-opened', 'by digest-e2e: vendor outage']],
    );
    assert.deepEqual(
      digest.changes?.upcoming.map((c) => [c.shortDescription, c.approval]),
      [['ERP certificate swap', 'approved']],
    );
    assert.deepEqual(
      digest.changes?.pendingApproval.map((c) => c.number),
      [pending.number],
    );
    assert.deepEqual(result.posted, { slack: 'sent', teams: 'sent', email: { status: 'skipped' } });
    assert.deepEqual(digest.sms, { sent: 1, delivered: 1, spent: 0.0079, currency: 'USD' });

    // What the channels received.
    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      channel: string;
      text: string;
      blocks?: { type: string; text?: { text: string } }[];
    }[];
    const posted = slack.filter((m) => m.text.includes('Integrations daily digest'));
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.channel, 'integration-ops');
    assert.equal(posted[0]!.blocks![0]!.type, 'header');
    const sections = posted[0]!.blocks!.filter((b) => b.type === 'section').map((b) => b.text!.text);
    assert.ok(
      sections.some((t) =>
        t.startsWith(
          '*erpnext*: ✅ 3 succeeded · ❌ 2 failed · dead letters 2 (oldest ' +
            firstFailedAt +
            ') · breaker open',
        ),
      ),
    );
    assert.ok(sections.some((t) => t.startsWith('*servicenow*: ✅ 2 succeeded · ❌ 0 failed')));
    assert.ok(sections.some((t) => t.includes(pending.number!)));

    const teams = (await admin(simulators.sims.graph.url, 'messages', undefined, caPem)) as {
      body: { content: string };
      attachments: { contentType: string; content: string | null }[];
    }[];
    const cards = teams.filter((m) =>
      m.attachments.some((a) => a.content?.includes('Integrations daily digest')),
    );
    assert.equal(cards.length, 1);
    const card = JSON.parse(cards[0]!.attachments[0]!.content!) as object;
    assert.equal(cards[0]!.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    const cells = rowsOf(card);
    assert.deepEqual(
      cells.find((r) => r[0] === 'erpnext'),
      ['erpnext', '3', '2', '2', 'open'],
    );
    assert.deepEqual(
      cells.find((r) => r[0] === 'servicenow'),
      ['servicenow', '2', '0', '–', '–'],
    );
    assert.match(cards[0]!.body.content, /erpnext/);

    // The status table's data from the same server.
    const status = await collectStatus(client, new Date());
    const row = status.rows.find((r) => r.connector === 'erpnext');
    assert.deepEqual(row?.runs24h, { succeeded: 3, failed: 2 });
    assert.equal(row.breaker, 'open');
    assert.equal(row.deadLetters, 2);
    assert.equal(row.lastRun?.outcome, 'failed');
    assert.equal(row.lastRun?.workflowType, 'openIncident');

    // And the CLI prints it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli.ts'), 'status', '--no-metrics'],
      { env: { ...process.env, TEMPORAL_ADDRESS: env.address, LOG_LEVEL: 'silent' }, timeout: 60_000 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('erpnext '));
    assert.match(
      line ?? stdout,
      /^erpnext\s+openIncident\s+\S+ \S+ \(\d+s ago\)\s+failed\s+60% \(3\/5\)\s+2\s+open$/,
    );
  });
});

/** Visibility is eventually consistent: wait until the closed runs are indexed. */
function waitForVisibility(
  client: ReturnType<ReturnType<typeof useE2eStack>>['env']['client'],
  query: string,
  expected: number,
): Promise<unknown> {
  return eventually(
    () => client.workflow.count(query),
    ({ count }) => count >= expected,
    { what: `${expected} runs matching ${query}` },
  );
}

/** The card's connector rows as text cells (ColumnSets after the header row). */
function rowsOf(card: object): string[][] {
  const body = (card as { body: { type: string; columns?: { items: { text: string }[] }[] }[] }).body;
  return body
    .filter((e) => e.type === 'ColumnSet')
    .map((e) => e.columns!.map((c) => c.items[0]!.text))
    .slice(1);
}
