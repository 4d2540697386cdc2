// zoomTrainingAttendance on the time-skipping server against the Zoom, ERPNext (US and EU), Slack
// and Graph simulators; outcomes read back through ERPNext's own REST API and Slack's messages.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { Agent } from 'undici';
import { activityDepsFromConfig, createActivities } from '../../src/activities';
import { createIngressMetrics } from '../../src/ingress/metrics';
import { createIngressServer } from '../../src/ingress/server';
import { clientGateway } from '../../src/ingress/temporal';
import { registerZoomRoutes } from '../../src/ingress/zoom';
import { zoomTrainingWorkflowId } from '../../src/domain/zoom';
import { zoomTrainingAttendance } from '../../src/workflows';
import type { ZoomTrainingAttendanceInput } from '../../src/workflows/zoomTrainingAttendance';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ZoomSimState } from '../../simulators/zoom/state';
import { secretValues } from '../../src/config';
import { testEmployee } from '../helpers/employees';
import { recordHistory, withDecodedPayloads } from '../helpers/history';
import { admin, startTestSimulators, testConfig } from '../helpers/simulators';
import { createTestWorker, endLongLivedRuns, timeSkippingServer } from '../helpers/temporal';

interface TrainingEvent {
  name: string;
  event_name: string;
  custom_zoom_meeting_uuid: string;
  employees: {
    employee: string;
    employee_name: string;
    attendance: string;
    custom_minutes_attended: number;
  }[];
}

const meeting = (uuid: string): ZoomTrainingAttendanceInput => ({
  meetingUuid: uuid,
  meetingId: '85746065432',
  kind: 'meeting',
  topic: 'Training: data protection',
  startTime: '2026-11-30T09:00:00Z',
  endTime: '2026-11-30T10:00:00Z',
});

describe('zoomTrainingAttendance workflow', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let simulators: Awaited<ReturnType<typeof startTestSimulators>>;
  let dispatcher: Agent;
  let run = 0;

  before(async () => {
    env = await timeSkippingServer();
    simulators = await startTestSimulators();
    dispatcher = new Agent({ connect: { ca: simulators.sims.caPem } });
  });
  after(async () => {
    await dispatcher?.close();
    await simulators?.stop();
    await env?.teardown();
  });
  beforeEach(async () => {
    const { slack, graph, erpnext, erpnextEu, zoom } = simulators.sims;
    for (const s of [slack, graph, erpnext, erpnextEu, zoom])
      await admin(s.url, 'reset', {}, simulators.sims.caPem);
  });

  /** A past meeting in the Zoom simulator, with the same facts as `meeting(uuid)`. */
  const addMeeting = (uuid: string, details: object) =>
    zoomAdmin('meetings', {
      uuid,
      id: '85746065432',
      topic: 'Training: data protection',
      start_time: '2026-11-30T09:00:00Z',
      end_time: '2026-11-30T10:00:00Z',
      ...details,
    });
  const ada = [{ name: 'Ada', user_email: 'ada@acme.example', duration: 3000 }];

  const zoomAdmin = (path: string, body?: unknown) =>
    admin(simulators.sims.zoom.url, path, body, simulators.sims.caPem);

  async function erpnext(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: 'token sim-key:sim-secret', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...({ dispatcher } as object),
    });
    assert.ok(response.ok, `${method} ${path} → ${response.status}`);
    return response.json();
  }
  const seedEmployees = (url: string, docs: object[]) =>
    erpnext(url, 'POST', '/api/method/frappe.client.insert_many', {
      docs: docs.map((d) => ({ ...d, doctype: 'Employee' })),
    });
  async function trainingEvents(url: string): Promise<TrainingEvent[]> {
    const params = new URLSearchParams({ fields: '["*"]', limit_page_length: '0' });
    return (
      (await erpnext(url, 'GET', `/api/resource/Training%20Event?${params}`)) as { data: TrainingEvent[] }
    ).data;
  }

  async function withWorker<T>(
    fn: (taskQueue: string) => Promise<T>,
    overrides: Record<string, string> = {},
  ) {
    const taskQueue = `zoom-${++run}`;
    const activities = createActivities(activityDepsFromConfig(testConfig(simulators.env, overrides)));
    // The simulator's report clock follows the skipped time, as Zoom's would follow real time.
    const followed = {
      ...activities,
      recordZoomAttendance: async (ref: Parameters<typeof activities.recordZoomAttendance>[0]) => {
        await zoomAdmin('clock', { now: new Date(await env.currentTimeMs()).toISOString() });
        return activities.recordZoomAttendance(ref);
      },
    };
    const worker = await createTestWorker(env, { taskQueue, activities: followed });
    try {
      return await worker.runUntil(() => fn(taskQueue));
    } finally {
      await endLongLivedRuns(env); // they ran on this run's task queue
    }
  }

  /** The ingress's Zoom route on `taskQueue`, subscribed in the Zoom simulator for the time of `fn`. */
  async function withIngress<T>(taskQueue: string, fn: () => Promise<T>): Promise<T> {
    const metrics = createIngressMetrics();
    const app = createIngressServer(metrics);
    registerZoomRoutes(app, {
      secrets: { current: 'sim-zoom-webhook-secret' },
      training: { topicPrefix: 'Training:', seriesIds: [] },
      temporal: clientGateway(env.client, taskQueue),
      metrics,
      log: pino({ level: 'silent' }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/zoom/webhook`;
      assert.deepEqual(await zoomAdmin('webhook', { url, secret: 'sim-zoom-webhook-secret' }), {
        validated: true,
      });
      return await fn();
    } finally {
      await app.close();
    }
  }
  const endedPayload = (uuid: string) => ({
    account_id: 'sim-account',
    object: {
      uuid,
      id: '85746065432',
      topic: 'Training: data protection',
      start_time: '2026-11-30T09:00:00Z',
      end_time: '2026-11-30T10:00:00Z',
    },
  });
  const sendEnded = (uuid: string) =>
    zoomAdmin('webhook/send', { event: 'meeting.ended', payload: endedPayload(uuid) });

  it('300 joins over 4 pages with repeats: each person once with total minutes, absentees from the invitee list, EU attendees only on the EU site', async () => {
    const { erpnext: us, erpnextEu: eu } = simulators.sims;
    const usPeople = Array.from({ length: 130 }, (_, i) =>
      testEmployee(i, { company_email: `us${i}@acme.example` }),
    );
    const euPeople = Array.from({ length: 60 }, (_, i) =>
      testEmployee(1000 + i, { company_email: `eu${i}@acme.example`, custom_country: 'DE' }),
    );
    await seedEmployees(us.url, usPeople.slice(0, 100));
    await seedEmployees(us.url, usPeople.slice(100));
    await seedEmployees(eu.url, euPeople);
    // 120 US and 60 EU employees attend 30 minutes; 60 of them rejoin for 10 more; 40 external
    // guests and 20 guests without an e-mail address: 300 joins.
    const attendees = [...usPeople.slice(0, 120), ...euPeople].map((e) => e.company_email);
    const joins = [
      ...attendees.map((email, i) => ({ name: `P${i}`, user_email: email.toUpperCase(), duration: 1800 })),
      ...attendees.slice(0, 60).map((email, i) => ({ name: `P${i}`, user_email: email, duration: 600 })),
      ...Array.from({ length: 40 }, (_, i) => ({
        name: `G${i}`,
        user_email: `guest${i}@partner.example`,
        duration: 900,
      })),
      ...Array.from({ length: 20 }, (_, i) => ({ name: `Phone ${i}`, user_email: '', duration: 300 })),
    ];
    assert.equal(joins.length, 300);
    const uuid = 'aBcD/eFg//hIjK==';
    await addMeeting(uuid, {
      participants: joins,
      // Invited: everyone who came, and 10 US employees who did not.
      registrants: [...attendees, ...usPeople.slice(120).map((e) => e.company_email)],
    });
    // One 429 on the way: the activity waits Zoom's Retry-After and carries on.
    await zoomAdmin('faults', { status: 429, retryAfterSeconds: 30, times: 1, path: '/v2/report' });

    const result = await withWorker(
      (taskQueue) =>
        env.client.workflow.execute(zoomTrainingAttendance, {
          taskQueue,
          workflowId: zoomTrainingWorkflowId(uuid),
          args: [meeting(uuid)],
        }),
      { ZOOM_REPORT_PAGE_SIZE: '80' },
    );

    assert.equal(result.joins, 300);
    // The history holds counts and the bounded list of unmatched guests, never the attendees.
    const serialized = historyToJSON(
      await env.client.workflow.getHandle(zoomTrainingWorkflowId(uuid)).fetchHistory(),
    );
    const readable = withDecodedPayloads(serialized);
    assert.ok(!readable.includes('us0@acme.example') && !readable.includes('eu0@acme.example'));
    assert.equal(result.people, 220);
    assert.equal(result.anonymousGuests, 20);
    assert.equal(result.unmatchedCount, 40);
    assert.deepEqual(result.sites, {
      us: { present: 120, absent: 10, trainingEvent: result.sites.us?.trainingEvent },
      eu: { present: 60, absent: 0, trainingEvent: result.sites.eu?.trainingEvent },
    });
    const reportCalls = ((await zoomAdmin('requests')) as { path: string; status?: number }[]).filter((r) =>
      r.path.startsWith('/v2/report/'),
    );
    assert.deepEqual(
      reportCalls.map((r) => r.status),
      [429, 200, 200, 200, 200],
      'one refused call, then 4 pages',
    );

    const [usEvent, ...moreUs] = await trainingEvents(us.url);
    const [euEvent, ...moreEu] = await trainingEvents(eu.url);
    assert.deepEqual([moreUs.length, moreEu.length], [0, 0]);
    const byName = (event: TrainingEvent) => new Map(event.employees.map((e) => [e.employee_name, e]));
    const usRows = byName(usEvent!);
    const euRows = byName(euEvent!);
    assert.equal(usRows.size, 130);
    assert.equal(euRows.size, 60);
    assert.deepEqual(
      [usRows.get('Test Person 0'), usRows.get('Test Person 70'), usRows.get('Test Person 125')].map((r) => [
        r?.attendance,
        r?.custom_minutes_attended,
      ]),
      [
        ['Present', 40],
        ['Present', 30],
        ['Absent', 0],
      ],
    );
    assert.deepEqual(
      [euRows.get('Test Person 1000'), euRows.get('Test Person 1059')].map((r) => [
        r?.attendance,
        r?.custom_minutes_attended,
      ]),
      [
        ['Present', 30],
        ['Present', 30],
      ],
    );
    // Residency: no EU employee's record on the US site, and the other way round.
    assert.ok(![...usRows.keys()].some((n) => Number(n.split(' ').pop()) >= 1000));
    assert.ok([...euRows.keys()].every((n) => Number(n.split(' ').pop()) >= 1000));

    const messages = (await admin(
      simulators.sims.slack.url,
      'messages',
      undefined,
      simulators.sims.caPem,
    )) as {
      channel: string;
      text: string;
    }[];
    const summary = messages.find((m) => m.channel === 'learning');
    assert.ok(summary, 'the summary went to the L&D channel');
    assert.match(summary.text, /220 people \(300 joins\)/);
    assert.match(summary.text, /Not matched to an employee: 40: guest0@partner\.example/);
  });

  it('an EU employee who also has a record on the US site is written only to the EU site', async () => {
    const { erpnext: us, erpnextEu: eu } = simulators.sims;
    const marta = { company_email: 'marta@acme.example', custom_country: 'DE' };
    // Marta moved to Germany: her new record is on the EU site, her old one not yet off the US site.
    await seedEmployees(eu.url, [testEmployee(2001, marta)]);
    await seedEmployees(us.url, [
      testEmployee(2001, marta),
      testEmployee(1, { company_email: 'ada@acme.example' }),
      // Left the company: kept in ERPNext, but not an attendee.
      testEmployee(3, { company_email: 'gone@acme.example', status: 'Left' }),
    ]);
    const uuid = 'moved-employee==';
    await addMeeting(uuid, {
      participants: [
        ...ada,
        { name: 'Marta', user_email: 'marta@acme.example', duration: 1800 },
        { name: 'Gone', user_email: 'gone@acme.example', duration: 600 },
      ],
    });
    const result = await withWorker((taskQueue) =>
      env.client.workflow.execute(zoomTrainingAttendance, {
        taskQueue,
        workflowId: zoomTrainingWorkflowId(uuid),
        args: [meeting(uuid)],
      }),
    );
    const names = async (url: string) =>
      (await trainingEvents(url))
        .filter((e) => e.custom_zoom_meeting_uuid === uuid)
        .flatMap((e) => e.employees.map((r) => r.employee_name));
    assert.deepEqual(await names(us.url), ['Test Person 1']);
    assert.deepEqual(await names(eu.url), ['Test Person 2001']);
    assert.deepEqual(
      [result.sites.us?.present, result.sites.eu?.present, result.unmatched],
      [1, 1, ['gone@acme.example']],
    );
  });

  it('waits out a participant report that is not ready for 20 minutes on durable timers', async () => {
    const { erpnext: us } = simulators.sims;
    await seedEmployees(us.url, [testEmployee(1, { company_email: 'ada@acme.example' })]);
    await zoomAdmin('clock', { now: new Date(await env.currentTimeMs()).toISOString() });
    const uuid = 'late-report==';
    await addMeeting(uuid, { participants: ada, reportReadyAfterMinutes: 20 });
    const result = await withWorker((taskQueue) =>
      env.client.workflow.execute(zoomTrainingAttendance, {
        taskQueue,
        workflowId: zoomTrainingWorkflowId(uuid),
        args: [{ ...meeting(uuid), pollEvery: '5 minutes' }],
      }),
    );
    const handle = env.client.workflow.getHandle(zoomTrainingWorkflowId(uuid));
    const fetched = await handle.fetchHistory();
    const history = fetched.events ?? [];
    const at = (i: number) => Number(history.at(i)?.eventTime?.seconds ?? 0);
    const waitedMinutes = (at(-1) - at(0)) / 60;
    assert.ok(result.notReadyPolls >= 4 && result.notReadyPolls <= 5, `polls: ${result.notReadyPolls}`);
    assert.ok(waitedMinutes >= 20 && waitedMinutes < 30, `waited ${waitedMinutes} minutes`);
    assert.deepEqual(result.sites.us && [result.sites.us.present, result.sites.us.absent], [1, 0]);
    const [event] = await trainingEvents(us.url);
    assert.deepEqual(
      event?.employees.map((e) => [e.attendance, e.custom_minutes_attended]),
      [['Present', 50]],
    );
    // No credential in the history: the app's secret, the webhook secret, the access tokens.
    const readable = withDecodedPayloads(historyToJSON(fetched));
    const tokens = [...(simulators.sims.zoom.state as ZoomSimState).tokens.keys()];
    assert.ok(tokens.length > 0);
    for (const secret of [...secretValues(testConfig(simulators.env)), ...tokens])
      assert.ok(!readable.includes(secret), 'a secret or token leaked into history');
    await recordHistory(handle, 'zoomTrainingAttendance-late-report');
  });

  it('gives up with ReportNotReady when the report is still missing after giveUpAfter', async () => {
    await zoomAdmin('clock', { now: new Date(await env.currentTimeMs()).toISOString() });
    const uuid = 'never-ready==';
    await addMeeting(uuid, { participants: ada, reportReadyAfterMinutes: 24 * 60 });
    const failure = await withWorker((taskQueue) =>
      env.client.workflow
        .execute(zoomTrainingAttendance, {
          taskQueue,
          workflowId: zoomTrainingWorkflowId(uuid),
          args: [{ ...meeting(uuid), pollEvery: '5 minutes', giveUpAfter: '30 minutes' }],
        })
        .then(
          () => undefined,
          (err: Error) => err,
        ),
    );
    assert.match(String((failure?.cause as { type?: string } | undefined)?.type), /ReportNotReady/);
    assert.equal((await trainingEvents(simulators.sims.erpnext.url)).length, 0);
  });

  it('the same meeting.ended delivered three times through the ingress makes one run and one Training Event', async () => {
    const { erpnext: us } = simulators.sims;
    await seedEmployees(us.url, [testEmployee(1, { company_email: 'ada@acme.example' })]);
    const uuid = 'thrice-sent==';
    await addMeeting(uuid, { participants: ada });
    await withWorker((taskQueue) =>
      withIngress(taskQueue, async () => {
        for (let i = 0; i < 3; i++) assert.deepEqual(await sendEnded(uuid), { status: 200 });
        const result = await env.client.workflow.getHandle(zoomTrainingWorkflowId(uuid)).result();
        assert.equal(result.sites.us?.present, 1);
        // Once the run is closed, a late re-send is still acknowledged and starts nothing.
        assert.deepEqual(await sendEnded(uuid), { status: 200 });
      }),
    );
    // One run (the workflow id is the meeting's), which recorded the attendance once.
    const { events: history } = await env.client.workflow
      .getHandle(zoomTrainingWorkflowId(uuid))
      .fetchHistory();
    const recorded = (history ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordZoomAttendance',
    );
    assert.equal(recorded.length, 1);
    const events = await trainingEvents(us.url);
    assert.equal(events.filter((e) => e.custom_zoom_meeting_uuid === uuid).length, 1);
  });

  it("a run that failed (Zoom not configured on the worker) is started again by Zoom's re-send; a completed one is not", async () => {
    const { erpnext: us } = simulators.sims;
    await seedEmployees(us.url, [testEmployee(1, { company_email: 'ada@acme.example' })]);
    const uuid = 'failed-first==';
    await addMeeting(uuid, { participants: ada });
    const handle = () => env.client.workflow.getHandle(zoomTrainingWorkflowId(uuid));
    const unconfigured = { ZOOM_ACCOUNT_ID: '', ZOOM_CLIENT_ID: '', ZOOM_CLIENT_SECRET: '' };
    const failure = await withWorker(
      (taskQueue) =>
        withIngress(taskQueue, async () => {
          assert.deepEqual(await sendEnded(uuid), { status: 200 });
          return handle()
            .result()
            .then(
              () => undefined,
              (err: Error) => err,
            );
        }),
      unconfigured,
    );
    const activityFailure = failure?.cause as Error | undefined;
    assert.match(String((activityFailure?.cause as { type?: string } | undefined)?.type), /NotConfigured/);
    const firstRun = (await handle().describe()).runId;
    // Fixed: Zoom's retry of the same event starts the meeting's run again (ALLOW_DUPLICATE_FAILED_ONLY).
    await withWorker((taskQueue) =>
      withIngress(taskQueue, async () => {
        assert.deepEqual(await sendEnded(uuid), { status: 200 });
        const result = await handle().result();
        assert.equal(result.sites.us?.present, 1);
        const completedRun = (await handle().describe()).runId;
        assert.notEqual(completedRun, firstRun);
        // That run completed: a further re-send is acknowledged and starts nothing.
        assert.deepEqual(await sendEnded(uuid), { status: 200 });
        assert.equal((await handle().describe()).runId, completedRun);
      }),
    );
    assert.equal((await trainingEvents(us.url)).length, 1);
  });
});
