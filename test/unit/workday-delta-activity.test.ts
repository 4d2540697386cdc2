// workdayDeltaPage against the Workday SOAP simulator and both ERPNext simulators, configured the
// way `npm start` configures the worker: a worker changed in Workday ends up changed in ERPNext
// (read back through the REST API), an EU worker only in the EU instance, invalid workers in the
// quarantine file, a retried page without duplicates, and SOAP faults as the right retry decision.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Agent } from 'undici';
import { activityDepsFromConfig } from '../../src/activities';
import {
  createWorkdayDeltaActivities,
  type DeltaPageInput,
  type DeltaPageResult,
} from '../../src/activities/workday/delta';
import { preferredName, validateWorker } from '../../src/domain/workdayWorker';
import { VendorError } from '../../src/vendors/errors';
import { WorkdayClient } from '../../src/vendors/workday';
import { SIMULATOR_CREDENTIALS } from '../../scripts/local-env';
import { startTestSimulators, testConfig } from '../helpers/simulators';

type Sims = Awaited<ReturnType<typeof startTestSimulators>>;

describe('workdayDeltaPage (SOAP delta → ERPNext)', function () {
  this.timeout(60_000);
  let sims: Sims;
  let dispatcher: Agent;
  let quarantineDir: string;
  let activities: ReturnType<typeof createWorkdayDeltaActivities>;
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'workday-delta-test', runId: 'run-1' } },
    { logger: new DefaultLogger('ERROR') },
  );
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));

  before(async () => {
    sims = await startTestSimulators();
    dispatcher = new Agent({ connect: { ca: sims.sims.caPem } });
    quarantineDir = mkdtempSync(join(tmpdir(), 'quarantine-'));
    const config = testConfig(sims.env, { WORKDAY_QUARANTINE_DIR: quarantineDir });
    assert.ok(config.workdaySoap, 'npm start configures WORKDAY_SOAP_*');
    activities = createWorkdayDeltaActivities(activityDepsFromConfig(config).workdayDelta!);
  });
  after(async () => {
    await dispatcher?.close();
    await sims?.stop();
    rmSync(quarantineDir, { recursive: true, force: true });
  });

  async function http(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const { json, ...rest } = init;
    return fetch(url, {
      ...rest,
      method: rest.method ?? (json === undefined ? 'GET' : 'POST'),
      headers: json === undefined ? rest.headers : { 'content-type': 'application/json' },
      body: json === undefined ? rest.body : JSON.stringify(json),
      ...({ dispatcher } as object),
    });
  }

  async function workdayAdmin(path: string, json?: unknown, method?: string): Promise<void> {
    const r = await http(`${sims.sims.workday.url}/__admin/${path}`, { json, method });
    assert.ok(r.ok, `workday admin ${path} → ${r.status}`);
  }

  /** Employees with this employee_number in one ERPNext, read through its REST API. */
  async function erpnextEmployees(url: string, employeeNumber: string): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams({
      filters: JSON.stringify([['employee_number', '=', employeeNumber]]),
      fields: JSON.stringify(['name', 'employee_number', 'designation', 'custom_country', 'status']),
    });
    const r = await http(`${url}/api/resource/Employee?${params}`, {
      headers: {
        authorization: `token ${SIMULATOR_CREDENTIALS.erpnextKey}:${SIMULATOR_CREDENTIALS.erpnextSecret}`,
      },
    });
    assert.equal(r.status, 200);
    return ((await r.json()) as { data: Record<string, unknown>[] }).data;
  }

  const worker = (employeeId: string, country: string, extra: Record<string, unknown> = {}) => ({
    employeeId,
    legalFirstName: 'Ana',
    legalLastName: 'Silva',
    email: `${employeeId.toLowerCase()}@example.com`,
    country,
    department: 'Finance',
    jobTitle: 'Analyst',
    hireDate: '2021-04-01-07:00',
    costCenter: 'CC-120',
    ...extra,
  });

  const page = (input: DeltaPageInput) =>
    env.run(activities.workdayDeltaPage, input) as Promise<DeltaPageResult>;

  it('imports a window, updates a changed worker, keeps EU workers in the EU instance and retries without duplicates', async () => {
    await workdayAdmin('workers', undefined, 'DELETE');
    await workdayAdmin('workers', {
      updatedAt: '2026-04-01T09:00:00Z',
      workers: [
        worker('D100', 'US'),
        worker('D200', 'DE'),
        worker('D300', 'XX'), // not an ISO country: quarantined
      ],
    });
    const first = {
      updatedFrom: '2026-04-01T00:00:00Z',
      updatedThrough: '2026-04-01T12:00:00Z',
      asOf: '2026-04-01T12:00:00Z',
      page: 1,
    };
    const result = await page(first);
    assert.ok(heartbeats.length > 0, 'the page heartbeats');
    assert.deepEqual(
      { ...result, quarantineRef: undefined },
      {
        page: 1,
        totalPages: 1,
        totalResults: 3,
        read: 3,
        valid: 2,
        invalid: 1,
        reasons: { 'Country: not an ISO 3166 alpha-2 country code': 1 },
        regions: {
          eu: { created: 1, updated: 0, unchanged: 0, failed: 0, movedIn: 0 },
          us: { created: 1, updated: 0, unchanged: 0, failed: 0, movedIn: 0 },
        },
        quarantineRef: undefined,
      },
    );
    assert.ok(result.quarantineRef?.startsWith(quarantineDir));
    const quarantined = readFileSync(result.quarantineRef!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(quarantined, [
      {
        source: 'workday-soap',
        page: 1,
        line: 3,
        field: 'Country',
        reason: 'not an ISO 3166 alpha-2 country code',
        employeeId: 'D300',
      },
    ]);

    const usUrl = sims.sims.erpnext.url;
    const euUrl = sims.sims.erpnextEu.url;
    assert.equal((await erpnextEmployees(usUrl, 'D100')).length, 1);
    assert.equal(
      (await erpnextEmployees(usUrl, 'D200')).length,
      0,
      'an EU worker never reaches the US instance',
    );
    assert.deepEqual(
      (await erpnextEmployees(euUrl, 'D200')).map((e) => e.custom_country),
      ['DE'],
    );
    assert.equal((await erpnextEmployees(euUrl, 'D100')).length, 0);

    // A change in Workday; the next delta window picks it up and ERPNext shows it.
    await workdayAdmin('workers', {
      updatedAt: '2026-04-01T13:00:00Z',
      workers: [{ employeeId: 'D100', jobTitle: 'Senior Analyst' }],
    });
    const second = {
      updatedFrom: first.updatedThrough,
      updatedThrough: '2026-04-01T14:00:00Z',
      asOf: '2026-04-01T14:00:00Z',
      page: 1,
    };
    const changed = await page(second);
    assert.equal(changed.read, 1);
    assert.deepEqual(changed.regions.us, { created: 0, updated: 1, unchanged: 0, failed: 0, movedIn: 0 });
    assert.equal(changed.quarantineRef, undefined);
    const [d100] = await erpnextEmployees(usUrl, 'D100');
    assert.equal(d100?.designation, 'Senior Analyst');

    // The same page again (an activity retry): nothing created twice, nothing rewritten.
    const retried = await page(second);
    assert.deepEqual(retried.regions.us, { created: 0, updated: 0, unchanged: 1, failed: 0, movedIn: 0 });
    assert.equal((await erpnextEmployees(usUrl, 'D100')).length, 1);
  });

  it('pages with count and reports totalPages', async () => {
    await workdayAdmin('workers', undefined, 'DELETE');
    await workdayAdmin('workers/generate', {
      count: 5,
      firstId: 500,
      seed: 3,
      updatedAt: '2026-04-02T09:00:00Z',
    });
    const window = {
      updatedFrom: '2026-04-02T00:00:00Z',
      updatedThrough: '2026-04-02T12:00:00Z',
      asOf: '2026-04-02T12:00:00Z',
      count: 2,
    };
    const results = [
      await page({ ...window, page: 1 }),
      await page({ ...window, page: 2 }),
      await page({ ...window, page: 3 }),
    ];
    assert.deepEqual(
      results.map((r) => [r.page, r.totalPages, r.totalResults, r.read]),
      [
        [1, 3, 5, 2],
        [2, 3, 5, 2],
        [3, 3, 5, 1],
      ],
    );
    assert.equal(
      results.reduce((n, r) => n + r.regions.eu.created + r.regions.us.created + r.invalid, 0),
      5,
    );
  });

  it('fails non-retryably on rejected credentials and on a page beyond the last, retryably on a server fault', async () => {
    await workdayAdmin('soap-faults', {
      faultcode: 'Client.authenticationError',
      faultstring: 'invalid username or password',
    });
    const input = {
      updatedFrom: '2026-04-02T00:00:00Z',
      updatedThrough: '2026-04-02T12:00:00Z',
      asOf: '2026-04-02T12:00:00Z',
      page: 1,
    };
    await assert.rejects(page(input), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'CredentialsRejected');
      assert.equal(err.nonRetryable, true);
      return true;
    });
    await assert.rejects(page({ ...input, page: 99 }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'InvalidRequest');
      assert.equal(err.nonRetryable, true);
      return true;
    });
    await workdayAdmin('faults', { status: 500, times: 1 });
    await assert.rejects(page(input), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'VendorUnavailable');
      assert.equal(err.nonRetryable, false);
      return true;
    });
  });

  it('client: maps a worker to plain fields (preferred name only when it differs from the legal one)', async () => {
    await workdayAdmin('workers', undefined, 'DELETE');
    await workdayAdmin('workers', {
      updatedAt: '2026-04-03T09:00:00Z',
      workers: [
        worker('M1', 'NO', {
          preferredFirstName: 'Annie',
          preferredLastName: 'Silva',
          managerId: 'M0',
          terminationDate: '2026-03-31',
          status: 'Terminated',
        }),
        worker('M2', 'US'),
      ],
    });
    const client = new WorkdayClient({
      url: sims.sims.workday.url,
      tenant: SIMULATOR_CREDENTIALS.workdayTenant,
      username: SIMULATOR_CREDENTIALS.workdayUsername,
      password: SIMULATOR_CREDENTIALS.workdayPassword,
      extraCaPem: sims.sims.caPem,
    });
    const result = await client.getWorkers({
      updatedFrom: '2026-04-03T00:00:00Z',
      updatedThrough: '2026-04-03T12:00:00Z',
      asOf: '2026-04-03T12:00:00Z',
      page: 1,
      count: 999,
    });
    assert.equal(result.totalResults, 2);
    const [m1, m2] = result.workers;
    assert.deepEqual(
      { ...m1, wid: undefined },
      {
        employeeId: 'M1',
        wid: undefined,
        legalFirstName: 'Ana',
        legalLastName: 'Silva',
        preferredFirstName: 'Annie',
        preferredLastName: 'Silva',
        email: 'm1@example.com',
        country: 'NO',
        department: 'Finance',
        jobTitle: 'Analyst',
        managerId: 'M0',
        hireDate: '2021-04-01-07:00',
        terminationDate: '2026-03-31',
        active: false,
        terminated: true,
        costCenter: 'CC-120',
      },
    );
    assert.match(m1!.wid ?? '', /^[0-9a-f]{32}$/);
    assert.equal(preferredName(m1!), 'Annie Silva');
    assert.equal(preferredName(m2!), '', 'Workday repeats the legal name when no preferred name is set');
    const row = validateWorker(m1!, 1);
    assert.ok(row.ok);
    assert.deepEqual(
      { status: row.record.status, hireDate: row.record.hireDate, preferredName: row.record.preferredName },
      { status: 'Terminated', hireDate: '2021-04-01', preferredName: 'Annie Silva' },
    );
  });

  it('client: a wrong password is an auth VendorError, HTTP 503 is unavailable', async () => {
    const base = {
      url: sims.sims.workday.url,
      tenant: SIMULATOR_CREDENTIALS.workdayTenant,
      username: SIMULATOR_CREDENTIALS.workdayUsername,
      extraCaPem: sims.sims.caPem,
    };
    const query = { asOf: new Date().toISOString(), page: 1, count: 10 };
    const wrong = new WorkdayClient({ ...base, password: 'wrong' });
    await assert.rejects(wrong.getWorkers(query), (err: unknown) => {
      assert.ok(err instanceof VendorError);
      assert.equal(err.kind, 'auth');
      assert.equal(err.details.code, 'Client.authenticationError');
      return true;
    });
    const right = new WorkdayClient({ ...base, password: SIMULATOR_CREDENTIALS.workdayPassword });
    await workdayAdmin('faults', { status: 503, times: 1 });
    await assert.rejects(right.getWorkers(query), (err: unknown) => {
      assert.ok(err instanceof VendorError);
      assert.equal(err.kind, 'unavailable');
      return true;
    });
    assert.ok((await right.getWorkers(query)).totalResults >= 0);
  });
});
