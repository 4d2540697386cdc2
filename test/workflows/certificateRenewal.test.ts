// Thirty days of a certificate renewal in seconds, on Temporal's time-skipping server. The
// notification and probe activities are recorders here; the e2e test runs the real ones.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerGroup } from '../../src/workerGroup';
import type { WorkflowHandle } from '@temporalio/client';
import { createCertificateActivities } from '../../src/activities/certificates';
import { createBreakerActivities } from '../../src/activities/breaker';
import type { Alert } from '../../src/domain/alert';
import type { ProbedCertificateFacts } from '../../src/domain/escalation';
import { breakerState } from '../../src/workflows/circuitBreaker';
import { renewalActions, renewalStatus } from '../../src/workflows/certificateRenewal/messages';
import { createTestWorker, timeSkippingServer } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';
import { certificateRenewal } from '../../src/workflows';
import type { Activities } from '../../src/activities';
import type { ChangeRequestDraft, IncidentEvent } from '../../src/domain/servicenow';

const DAY = 86_400_000;

describe('certificateRenewal workflow', () => {
  let env: TestWorkflowEnvironment;
  let worker: WorkerGroup;
  let running: Promise<void>;
  let alerts: Alert[];
  /** What ServiceNow and the mail relay were asked to do, in order. */
  let records: { call: string; arg: Record<string, unknown> }[];
  let served: ProbedCertificateFacts;
  /** The probe activity: the served certificate, or (one test) a real TLS handshake. */
  let probe: (target: { host: string; port: number }) => Promise<ProbedCertificateFacts>;
  /** While true, ServiceNow refuses every call (a vendor outage). */
  let servicenowDown = false;
  let run = 0;

  // A fresh server per test: each test moves time by weeks, and a renewal left over from one
  // test must not share the clock of the next.
  beforeEach(async () => {
    servicenowDown = false;
    env = await timeSkippingServer();
    worker = await createTestWorker(env, {
      taskQueue: 'renewal-tests',
      activities: {
        ...createBreakerActivities({}),
        notifySlack: async (alert: Alert) => (
          alerts.push(alert),
          { channel: 'slack' as const, status: 'sent' as const }
        ),
        notifyTeams: async () => ({ channel: 'teams' as const, status: 'sent' as const }),
        probeCertificate: async (target: { host: string; port: number }) => probe(target),
        servicenowUpsertIncident: async (event: IncidentEvent) => {
          if (servicenowDown)
            throw ApplicationFailure.nonRetryable('ServiceNow answered 503', 'VendorUnavailable');
          records.push({ call: 'incident', arg: { ...event } });
          return {
            correlationId: 'c',
            number: `INC${records.length}`,
            sysId: `s${records.length}`,
            outcome: 'inserted' as const,
          };
        },
        servicenowUpsertChangeRequest: async (draft: ChangeRequestDraft) => {
          records.push({ call: 'change', arg: { ...draft } });
          return { number: 'CHG0001', sysId: 'chg-1' };
        },
        servicenowCloseChangeRequest: async (change: {
          sysId: string;
          outcome: 'successful' | 'cancelled';
        }) => {
          records.push({ call: 'close-change', arg: change });
        },
        emailRole: async (message: { role: string; subject: string; text: string }) => {
          records.push({ call: 'email', arg: message });
          return { status: 'sent' as const };
        },
      } satisfies Partial<Activities>,
    });
    running = worker.run();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  async function startRenewal(
    daysToExpiry: number,
    target = { host: `erp-${++run}.example.com`, port: 443 },
  ) {
    alerts = [];
    records = [];
    probe = async () => served;
    const now = await env.currentTimeMs();
    const expiresAt = now + daysToExpiry * DAY;
    served = { trusted: true, validTo: new Date(expiresAt).toISOString(), fingerprint256: 'OLD' };
    const handle = await env.client.workflow.start(certificateRenewal, {
      taskQueue: 'renewal-tests',
      workflowId: `certificate-renewal-${target.host}-${target.port}`,
      args: [{ ...target, expiresAt: new Date(expiresAt).toISOString() }],
    });
    return { handle, expiresAt };
  }

  const renew = (expiresAt: number) => {
    served = { trusted: true, validTo: new Date(expiresAt + 365 * DAY).toISOString(), fingerprint256: 'NEW' };
  };

  const approve = (handle: { executeUpdate: WorkflowHandle['executeUpdate'] }) =>
    handle.executeUpdate(renewalActions.cabDecision.update, { args: [{ approved: true, who: 'cab-chair' }] });

  it('happy path: CAB approves, the vendor renews at T-20, the daily probe verifies it, nothing escalates', async () => {
    const { handle, expiresAt } = await startRenewal(25);
    await approve(handle);
    await env.sleep(5 * DAY);
    renew(expiresAt);
    const report = await handle.result();
    assert.equal(report.outcome, 'renewed');
    assert.deepEqual(report.escalations, []);
    assert.equal(report.reminders, 0);
    assert.equal(report.newExpiresAt, served.validTo);
    assert.ok(alerts.some((a) => a.title.startsWith('Certificate renewed')));
    // Opened with the vendor (ticket to its group, CAB change request), the go-ahead email once CAB
    // approved, then all closed.
    assert.deepEqual(
      records.map((r) => [
        r.call,
        r.arg.assignmentGroup ?? r.arg.role ?? r.arg.outcome ?? r.arg.status ?? null,
      ]),
      [
        ['incident', 'ERP Vendor Operations'],
        ['change', null],
        ['email', 'vendor-contact'],
        ['incident', 'ERP Vendor Operations'],
        ['close-change', 'successful'],
      ],
    );
    assert.equal(records[3]!.arg.status, 'resolved');
    assert.equal(records[1]!.arg.waiterWorkflowId, handle.workflowId);
    assert.equal(report.vendorTicket, 'INC1');
    assert.equal(report.changeRequest, 'CHG0001');
    const status = await handle.query(renewalStatus);
    // Within a day of the vendor's renewal (the approval's round trip may let the time-skipping
    // server reach the next daily probe first).
    assert.ok(status.daysLeft >= 18, `verified with ${status.daysLeft} days left`);
  });

  it('silence: every ladder step fires on its day, in order, once; expiry opens the breaker', async () => {
    const { handle, expiresAt } = await startRenewal(20);
    await env.sleep(20 * DAY + 3_600_000);
    const status = await handle.query(renewalStatus);
    const escalated = status.actions.filter((a) => a.action === 'escalated');
    assert.deepEqual(
      escalated.map((a) => a.detail.split(':')[0]),
      ['level 1', 'level 2', 'level 3', 'level 4'],
    );
    // Timers fire on the hour they were set for (to the millisecond, give or take scheduling).
    const daysBefore = escalated.map((a) => Math.round(((expiresAt - Date.parse(a.at)) / DAY) * 24) / 24 + 0);
    assert.deepEqual(daysBefore, [14, 7, 3, 0]);
    assert.equal(status.level, 4);
    const breaker = await env.client.workflow.getHandle('breaker-erpnext').query(breakerState);
    assert.equal(breaker.state, 'open');
    assert.ok(alerts.some((a) => a.title.startsWith('OUTAGE')));
    const p1 = records.filter((r) => r.call === 'incident' && r.arg.severity === 'critical');
    assert.equal(p1.length, 1, 'one P1 incident, at T-3');
    assert.match(String(p1[0]!.arg.title), /expires in 3 days/);
    await handle.executeUpdate(renewalActions.cancel.update, { args: [{ who: 'test', reason: 'done' }] });
    assert.equal((await handle.result()).outcome, 'cancelled');
  });

  it('a host that refuses connections: every step fires on its day, the host is reported, the run goes on', async () => {
    const port = await closedPort();
    const { handle, expiresAt } = await startRenewal(20, { host: '127.0.0.1', port });
    probe = createCertificateActivities({}).probeCertificate;
    await env.sleep(7 * DAY); // T-14 fired at day 6
    const reply = await handle.executeUpdate(renewalActions.acknowledge.update, { args: [{ who: 'dana' }] });
    assert.match(reply.detail, /acknowledged level 1/);
    await env.sleep(13 * DAY + 3_600_000);

    const status = await handle.query(renewalStatus);
    const escalated = status.actions.filter((a) => a.action === 'escalated');
    const daysBefore = escalated.map((a) => Math.round(((expiresAt - Date.parse(a.at)) / DAY) * 24) / 24 + 0);
    assert.deepEqual(daysBefore, [14, 7, 3, 0], 'each step on its day although every probe failed');
    assert.match(status.unreachable?.error ?? '', /ECONNREFUSED/);
    assert.ok(Date.parse(status.unreachable!.since) < expiresAt - 19 * DAY, 'reported since the first probe');
    const unreachable = alerts.filter(
      (a) => a.title === `Cannot reach 127.0.0.1:${port} to verify its certificate`,
    );
    assert.equal(unreachable.length, 1, 'the unreachable host is alerted once');
    const ladder = alerts.filter((a) => /^(Escalation|OUTAGE)/.test(a.title));
    assert.equal(ladder.length, 4);
    for (const alert of ladder.slice(0, 3))
      assert.ok(
        alert.facts?.some((f) => f.value.startsWith(`cannot reach 127.0.0.1:${port} since`)),
        `${alert.title} says the host cannot be reached`,
      );
    const { status: runStatus } = await handle.describe();
    assert.equal(runStatus.name, 'RUNNING');
    await handle.executeUpdate(renewalActions.cancel.update, {
      args: [{ who: 'lee', reason: 'host retired' }],
    });
    const report = await handle.result();
    assert.deepEqual(report.cancelled, { who: 'lee', reason: 'host retired' });
    assert.ok(
      alerts.some((a) => a.title.includes('cancelled') && a.summary === 'Cancelled by lee: host retired'),
    );
  });

  it('ServiceNow down at the start: the ladder keeps its day, the failure is logged and alerted, the ticket opens at the next check', async () => {
    servicenowDown = true;
    const { handle } = await startRenewal(15); // T-14 fires at day 1
    await env.sleep(3_600_000);
    let status = await handle.query(renewalStatus);
    assert.match(status.actions.find((a) => a.action === 'vendor ticket failed')?.detail ?? '', /503/);
    servicenowDown = false;
    await env.sleep(DAY + 3_600_000);
    status = await handle.query(renewalStatus);
    assert.equal(status.level, 1, 'T-14 fired on its day');
    assert.equal(records.filter((r) => r.call === 'incident').length, 1, 'the vendor ticket opened on retry');
    assert.match(
      status.actions.filter((a) => a.action === 'records opened').at(-1)!.detail,
      /vendor ticket INC\d/,
    );
    const notOpened = alerts.filter((a) => a.title.includes('records of the certificate renewal'));
    assert.equal(notOpened.length, 1, 'the failing records are alerted once');
    assert.match(notOpened[0]!.summary, /^Not opened: vendor ticket \(/);
    await handle.signal(renewalActions.cancel.signal, { who: 'test', reason: 'done' });
    assert.equal((await handle.result()).vendorTicket !== undefined, true);
  });

  it('an acknowledgement stops the reminders of its level until the next step', async () => {
    const { handle } = await startRenewal(15);
    await env.sleep(3.5 * DAY); // T-14 fired at day 1, reminders at days 2 and 3
    let status = await handle.query(renewalStatus);
    assert.equal(status.level, 1);
    assert.equal(status.actions.filter((a) => a.action === 'reminded').length, 2);
    const reply = await handle.executeUpdate(renewalActions.acknowledge.update, {
      args: [{ who: 'dana@vendor', note: 'on it' }],
    });
    assert.match(reply.detail, /acknowledged level 1/);
    await env.sleep(3 * DAY); // day 6.5: still level 1, no reminders since the acknowledgement
    status = await handle.query(renewalStatus);
    assert.equal(status.actions.filter((a) => a.action === 'reminded').length, 2);
    assert.deepEqual(
      status.actions.find((a) => a.action === 'acknowledge'),
      {
        at: status.actions.find((a) => a.action === 'acknowledge')!.at,
        who: 'dana@vendor',
        action: 'acknowledge',
        detail: 'acknowledged level 1; its reminders stop (on it)',
      },
    );
    await env.sleep(2 * DAY); // day 8.5: level 2 fired at day 8 and is not acknowledged
    status = await handle.query(renewalStatus);
    assert.equal(status.level, 2);
    assert.equal(status.acknowledged, false);
    await handle.signal(renewalActions.cancel.signal, { who: 'test', reason: 'done' });
    await handle.result();
  });

  it('a snooze is bounded by the next ladder step, and bad actions are refused with a reason', async () => {
    const { handle, expiresAt } = await startRenewal(13); // level 1 fires at once
    await env.sleep(60_000);
    const far = new Date(expiresAt + 30 * DAY).toISOString();
    const reply = await handle.executeUpdate(renewalActions.snooze.update, {
      args: [{ who: 'lee', until: far }],
    });
    assert.match(reply.detail, /bounded by the next ladder step/);
    const status = await handle.query(renewalStatus);
    assert.equal(status.snoozedUntil, new Date(expiresAt - 7 * DAY).toISOString());
    await assert.rejects(
      handle.executeUpdate(renewalActions.snooze.update, { args: [{ who: 'lee', until: 'tomorrow' }] }),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError && /ISO date-time/.test(String(err.cause?.message)),
    );
    await assert.rejects(
      handle.executeUpdate(renewalActions.acknowledge.update, { args: [{ who: '' }] }),
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError &&
        /^acknowledge argument\.who: is required/.test(String(err.cause?.message)),
    );
    await handle.signal(renewalActions.cancel.signal, { who: 'test', reason: 'done' });
    await handle.result();
  });

  it('CAB pending: no go-ahead to the vendor, a reminder each day, escalation at the deadline; approval sends the go-ahead', async () => {
    const { handle, expiresAt } = await startRenewal(25);
    await env.sleep(3 * DAY + 60_000);
    const status = await handle.query(renewalStatus);
    assert.equal(status.cab, 'pending');
    assert.deepEqual(
      status.actions.filter((a) => a.action.startsWith('CAB ')).map((a) => [a.action, a.detail]),
      [
        ['CAB reminded', 'pending for 1 day(s)'],
        ['CAB reminded', 'pending for 2 day(s)'],
        ['CAB escalated', 'pending for 3 day(s)'],
      ],
    );
    assert.equal(alerts.filter((a) => a.title.startsWith('Reminder: CAB decision pending')).length, 2);
    assert.equal(alerts.filter((a) => a.title.startsWith('CAB decision overdue')).length, 1);
    assert.deepEqual(
      records.filter((r) => r.call === 'email'),
      [],
      'the vendor gets no go-ahead while CAB is pending',
    );

    await approve(handle);
    const mailed = await eventually(
      async () => records.filter((r) => r.call === 'email'),
      (m) => m.length === 1,
    );
    assert.equal(mailed[0]!.arg.role, 'vendor-contact');
    assert.match(String(mailed[0]!.arg.subject), /^CAB approved: renew the certificate/);
    renew(expiresAt);
    await handle.signal(renewalActions.renewed.signal, { who: 'vendor-ops' });
    const report = await handle.result();
    assert.equal(report.outcome, 'renewed');
    assert.equal(report.cabReminders, 2);
    assert.equal(report.cabEscalated, true);
    assert.equal(report.unapprovedChange, false);
    assert.equal(alerts.filter((a) => a.title.startsWith('Reminder: CAB decision pending')).length, 2);
  });

  it('a certificate the vendor swapped without CAB approval is verified but reported as an unapproved change', async () => {
    const { handle, expiresAt } = await startRenewal(25);
    renew(expiresAt);
    const report = await handle.result();
    assert.equal(report.outcome, 'renewed');
    assert.equal(report.cab, 'pending');
    assert.equal(report.unapprovedChange, true);
    const unapproved = alerts.filter((a) => a.title.startsWith('Unapproved change'));
    assert.equal(unapproved.length, 1);
    assert.equal(unapproved[0]!.severity, 'critical');
    assert.match(unapproved[0]!.summary, /while change request CHG0001 was pending/);
    assert.deepEqual(
      records.filter((r) => r.call === 'email'),
      [],
      'no go-ahead was ever sent',
    );
  });

  it('a renewal verified after expiry closes the breaker its expiry opened', async () => {
    const { handle, expiresAt } = await startRenewal(2);
    await approve(handle);
    await env.sleep(2 * DAY + 3_600_000);
    const breaker = env.client.workflow.getHandle('breaker-erpnext');
    assert.equal((await breaker.query(breakerState)).state, 'open');
    renew(expiresAt);
    await handle.signal(renewalActions.renewed.signal, { who: 'vendor-ops' });
    assert.equal((await handle.result()).outcome, 'renewed');
    const closed = await eventually(
      () => breaker.query(breakerState),
      (s) => s.state === 'closed',
    );
    assert.deepEqual(
      closed.history.at(-1)!.reason,
      `certificate of ${handle.workflowId.split('certificate-renewal-')[1]!.replace(/-443$/, '')} renewed`,
    );
  });

  it('CAB rejection holds the renewal and escalates; approval and `renewed` verify at once', async () => {
    const { handle, expiresAt } = await startRenewal(25);
    await env.sleep(60_000);
    const reply = await handle.executeUpdate(renewalActions.cabDecision.update, {
      args: [{ approved: false, who: 'cab-chair', note: 'needs rollback plan' }],
    });
    assert.match(reply.detail, /held and escalated/);
    let status = await eventually(
      () => handle.query(renewalStatus),
      (s) => s.level === 1,
    );
    assert.equal(status.stage, 'held');
    assert.equal(status.cab, 'rejected');
    assert.equal(status.level, 1, 'escalated one level at once, 11 days before its schedule');
    assert.equal(status.actions.find((a) => a.action === 'escalated')?.who, 'cab-chair');
    await handle.executeUpdate(renewalActions.cabDecision.update, {
      args: [{ approved: true, who: 'cab-chair' }],
    });
    status = await handle.query(renewalStatus);
    assert.equal(status.stage, 'awaiting-vendor');
    // The ServiceNow sync's signal shape for a CAB decision is accepted too.
    await handle.signal(renewalActions.cabDecision.signal, {
      changeNumber: 'CHG0001',
      changeSysId: 'chg-1',
      approval: 'approved',
      decidedAt: new Date().toISOString(),
    } as never);
    status = await eventually(
      () => handle.query(renewalStatus),
      (s) => s.actions.some((a) => a.who === 'ServiceNow CAB (CHG0001)'),
    );
    assert.equal(status.cab, 'approved');
    renew(expiresAt);
    await handle.signal(renewalActions.renewed.signal, { who: 'vendor-ops' });
    const report = await handle.result();
    assert.equal(report.outcome, 'renewed');
    assert.equal(report.cab, 'approved');
  });
});

/** A local port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
