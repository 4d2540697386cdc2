// The Workday SOAP simulator speaks Get_Workers as Workday does: WS-Security UsernameToken,
// Response_Filter paging with Response_Results, Count ≤ 999, HTTP 500 SOAP Faults, transaction-log
// windows, and pages pinned to one As_Of_Entry_DateTime. Requests are raw SOAP envelopes (with a
// `p1:` prefix, as some clients send); one test drives it with the `soap` package's client from ?wsdl.
import assert from 'node:assert/strict';
import { Agent as HttpsAgent } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import * as soap from 'soap';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../../simulators/kit/local-ca';
import { startWorkdaySimulator, WORKDAY_DEFAULTS } from '../../../simulators/workday/server';
import { fetchWith, tempDir } from './helpers';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => ['Worker', 'ID'].includes(name),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed SOAP bodies, checked field by field
type Any = any;

interface Request {
  user?: string;
  password?: string;
  from?: string;
  through?: string;
  asOf?: string;
  page?: number | string;
  count?: number | string;
  ids?: string[];
}

function envelope(r: Request): string {
  const user = r.user ?? `${WORKDAY_DEFAULTS.username}@${WORKDAY_DEFAULTS.tenant}`;
  const password = r.password ?? WORKDAY_DEFAULTS.password;
  const range =
    r.from || r.through
      ? '<p1:Request_Criteria><p1:Transaction_Log_Criteria_Data><p1:Transaction_Date_Range_Data>' +
        (r.from ? `<p1:Updated_From>${r.from}</p1:Updated_From>` : '') +
        (r.through ? `<p1:Updated_Through>${r.through}</p1:Updated_Through>` : '') +
        '</p1:Transaction_Date_Range_Data></p1:Transaction_Log_Criteria_Data></p1:Request_Criteria>'
      : '';
  const refs = r.ids
    ? '<p1:Request_References>' +
      r.ids
        .map((id) => `<p1:Worker_Reference><p1:ID p1:type="Employee_ID">${id}</p1:ID></p1:Worker_Reference>`)
        .join('') +
      '</p1:Request_References>'
    : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p1="urn:com.workday/bsvc">' +
    '<env:Header><wsse:Security env:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<wsse:UsernameToken><wsse:Username>${user}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password>` +
    '</wsse:UsernameToken></wsse:Security></env:Header><env:Body>' +
    `<p1:Get_Workers_Request p1:version="v42.0">${refs}${range}<p1:Response_Filter>` +
    (r.asOf ? `<p1:As_Of_Entry_DateTime>${r.asOf}</p1:As_Of_Entry_DateTime>` : '') +
    (r.page !== undefined ? `<p1:Page>${r.page}</p1:Page>` : '') +
    (r.count !== undefined ? `<p1:Count>${r.count}</p1:Count>` : '') +
    '</p1:Response_Filter></p1:Get_Workers_Request></env:Body></env:Envelope>'
  );
}

describe('simulators/workday Get_Workers (SOAP)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  let sim: HttpSimulator;
  let https: ReturnType<typeof fetchWith>;
  let endpoint: string;

  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
  });
  after(() => tmp.remove());
  beforeEach(async () => {
    sim = await startWorkdaySimulator({ port: 0, tls: { ca } });
    https = fetchWith(ca.caPem);
    endpoint = `${sim.url}/ccx/service/${WORKDAY_DEFAULTS.tenant}/Human_Resources/v42.0`;
    assert.equal((await https(`${sim.url}/__admin/workers`, { method: 'DELETE' })).status, 200);
  });
  afterEach(async () => {
    await https.close();
    await sim.close();
  });

  async function adminPost(path: string, json: unknown): Promise<Any> {
    const r = await https(`${sim.url}/__admin/${path}`, { json });
    assert.ok(r.ok, `admin ${path} → ${r.status} ${await r.clone().text()}`);
    return r.json();
  }

  async function getWorkers(r: Request): Promise<{ status: number; contentType: string; body: Any }> {
    const response = await https(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml;charset=UTF-8' },
      body: envelope(r),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: parser.parse(text).Envelope.Body,
    };
  }

  const ids = (body: Any): string[] =>
    (body.Get_Workers_Response.Response_Data?.Worker ?? []).map(
      (w: Any) => w.Worker_Reference.ID.find((i: Any) => i['@_type'] === 'Employee_ID')['#text'],
    );

  const T1 = '2026-03-01T10:00:00Z';
  const T2 = '2026-03-02T10:00:00Z';

  it('pages a window with Response_Results (Total_Results, Total_Pages, Page_Results, Page)', async () => {
    await adminPost('workers/generate', { count: 25, seed: 1, updatedAt: T1 });
    const seen: string[] = [];
    const asOf = new Date().toISOString();
    for (const page of [1, 2, 3]) {
      const { status, contentType, body } = await getWorkers({
        from: '2026-03-01T00:00:00Z',
        through: '2026-03-01T23:59:59Z',
        asOf,
        page,
        count: 10,
      });
      assert.equal(status, 200);
      assert.match(contentType, /text\/xml/);
      const response = body.Get_Workers_Response;
      assert.equal(response['@_version'], 'v42.0');
      assert.deepEqual(response.Response_Results, {
        Total_Results: '25',
        Total_Pages: '3',
        Page_Results: page < 3 ? '10' : '5',
        Page: String(page),
      });
      seen.push(...ids(body));
    }
    assert.equal(new Set(seen).size, 25, 'every worker exactly once across the pages');
    assert.deepEqual(seen, [...seen].sort());
  });

  it('returns a worker with legal and preferred names, work email, business-site country and status', async () => {
    await adminPost('workers', {
      updatedAt: T1,
      workers: [
        {
          employeeId: 'W900001',
          legalFirstName: 'Logan',
          legalLastName: 'McNeil',
          preferredFirstName: 'Lo',
          preferredLastName: 'McNeil',
          email: 'lmcneil@example.com',
          country: 'DE',
          department: 'Engineering',
          jobTitle: 'Engineer',
          managerId: 'W900000',
          hireDate: '2020-03-15-07:00',
          status: 'Active',
          costCenter: 'CC-101',
        },
      ],
    });
    const { body } = await getWorkers({ ids: ['W900001'] });
    const worker = body.Get_Workers_Response.Response_Data.Worker[0];
    const names = worker.Worker_Data.Personal_Data.Name_Data;
    assert.equal(names.Legal_Name_Data.Name_Detail_Data['@_Formatted_Name'], 'Logan McNeil');
    assert.equal(names.Preferred_Name_Data.Name_Detail_Data.First_Name, 'Lo');
    assert.equal(
      worker.Worker_Data.Personal_Data.Contact_Data.Email_Address_Data.Email_Address,
      'lmcneil@example.com',
    );
    const job = worker.Worker_Data.Employment_Data.Worker_Job_Data;
    assert.equal(job['@_Primary_Job'], '1');
    assert.equal(
      job.Position_Data.Business_Site_Summary_Data.Address_Data.Country_Reference.ID[0]['#text'],
      'DE',
    );
    assert.deepEqual(worker.Worker_Data.Employment_Data.Worker_Status_Data, {
      Active: '1',
      Hire_Date: '2020-03-15-07:00',
      Terminated: '0',
    });

    const unknown = await getWorkers({ ids: ['NOPE'] });
    assert.equal(unknown.status, 500);
    assert.equal(unknown.body.Fault.faultcode, 'SOAP-ENV:Client.validationError');
    assert.match(unknown.body.Fault.faultstring, /'NOPE' is not a valid ID value for type = 'Employee_ID'/);
  });

  it('answers Count > 999, Page 0 and a page beyond Total_Pages with HTTP 500 Client.validationError', async () => {
    await adminPost('workers/generate', { count: 3, updatedAt: T1 });
    const tooMany = await getWorkers({ count: 1000 });
    assert.equal(tooMany.status, 500);
    assert.match(tooMany.contentType, /text\/xml/);
    assert.equal(tooMany.body.Fault.faultcode, 'SOAP-ENV:Client.validationError');
    const error = tooMany.body.Fault.detail.Validation_Fault.Validation_Error;
    assert.match(error.Message, /Count/);
    assert.match(error.Xpath, /Response_Filter\[1\]\/ns0:Count\[1\]$/);

    const zero = await getWorkers({ page: 0 });
    assert.equal(zero.status, 500);
    assert.equal(zero.body.Fault.faultstring, 'Page Number cannot be zero');

    const beyond = await getWorkers({ page: 2, count: 10 });
    assert.equal(beyond.status, 500);
    assert.equal(beyond.body.Fault.faultcode, 'SOAP-ENV:Client.validationError');

    assert.equal((await getWorkers({ count: 999 })).status, 200);
  });

  it('rejects a wrong password or tenant with Client.authenticationError and no detail', async () => {
    for (const r of [
      { password: 'wrong' },
      { user: `${WORKDAY_DEFAULTS.username}@other_tenant` },
      { user: WORKDAY_DEFAULTS.username },
    ]) {
      const { status, body } = await getWorkers(r);
      assert.equal(status, 500);
      assert.equal(body.Fault.faultcode, 'SOAP-ENV:Client.authenticationError');
      assert.equal(body.Fault.faultstring, 'invalid username or password');
      assert.equal(body.Fault.detail, undefined);
    }
  });

  it('filters by the transaction-log window and validates its bounds', async () => {
    await adminPost('workers/generate', { count: 4, firstId: 1, updatedAt: T1 });
    await adminPost('workers/generate', { count: 3, firstId: 101, updatedAt: T2 });
    const second = await getWorkers({ from: '2026-03-02T00:00:00Z', through: '2026-03-02T12:00:00Z' });
    assert.deepEqual(ids(second.body), ['W101', 'W102', 'W103']);
    // A change to an old worker inside the window brings it (its whole record) into the delta.
    await adminPost('workers', {
      updatedAt: '2026-03-02T11:00:00Z',
      workers: [{ employeeId: 'W1', jobTitle: 'CFO' }],
    });
    const withChange = await getWorkers({ from: '2026-03-02T00:00:00Z', through: '2026-03-02T12:00:00Z' });
    assert.deepEqual(ids(withChange.body), ['W1', 'W101', 'W102', 'W103']);
    const everyone = await getWorkers({});
    assert.equal(everyone.body.Get_Workers_Response.Response_Results.Total_Results, '7');

    const half = await getWorkers({ from: '2026-03-02T00:00:00Z' });
    assert.equal(half.status, 500);
    assert.match(half.body.Fault.faultstring, /both are Required/);
    const future = await getWorkers({ from: T1, through: new Date(Date.now() + 3600_000).toISOString() });
    assert.equal(future.status, 500);
    assert.match(future.body.Fault.faultstring, /Current Moment/);
    const reversed = await getWorkers({ from: T2, through: T1 });
    assert.equal(reversed.status, 500);
  });

  it('pins every page to As_Of_Entry_DateTime: changes made after it do not show on later pages', async () => {
    await adminPost('workers/generate', { count: 15, firstId: 101, updatedAt: T1 });
    const asOf = new Date().toISOString();
    const window = { from: '2026-03-01T00:00:00Z', through: asOf, asOf, count: 10 };
    const page1 = await getWorkers({ ...window, page: 1 });
    assert.equal(page1.body.Get_Workers_Response.Response_Results.Total_Results, '15');
    assert.deepEqual(ids(page1.body).slice(-1), ['W110']);

    // Between page 1 and page 2: W115 (on page 2) changes and a new worker sorting onto page 2 is hired.
    await adminPost('workers', { workers: [{ employeeId: 'W115', jobTitle: 'Chief Changer' }] });
    await adminPost('workers', {
      workers: [
        {
          employeeId: 'W1125',
          legalFirstName: 'New',
          legalLastName: 'Hire',
          email: 'w1125@example.com',
          country: 'US',
          hireDate: '2026-03-01',
        },
      ],
    });

    const page2 = await getWorkers({ ...window, page: 2 });
    assert.equal(page2.body.Get_Workers_Response.Response_Results.Total_Results, '15');
    assert.deepEqual(ids(page2.body), ['W111', 'W112', 'W113', 'W114', 'W115']);
    const title = (b: Any) =>
      b.Get_Workers_Response.Response_Data.Worker.at(-1).Worker_Data.Employment_Data.Worker_Job_Data
        .Position_Data.Position_Title;
    assert.notEqual(title(page2.body), 'Chief Changer', 'as of the pinned moment W115 is unchanged');

    // A later run (as of now) sees both changes.
    const later = await getWorkers({ from: asOf, through: new Date().toISOString(), count: 10 });
    assert.deepEqual(ids(later.body), ['W1125', 'W115']);
    assert.equal(title(later.body), 'Chief Changer');
  });

  it('injects faults: HTTP 500 Server fault and 503 via /__admin/faults, any SOAP fault via /__admin/soap-faults', async () => {
    await adminPost('faults', { status: 500, times: 1 });
    const server = await getWorkers({});
    assert.equal(server.status, 500);
    assert.match(server.body.Fault.faultcode, /^SOAP-ENV:Server/);

    await adminPost('soap-faults', {
      faultcode: 'Client.authenticationError',
      faultstring: 'invalid username or password',
    });
    const revoked = await getWorkers({});
    assert.equal(revoked.body.Fault.faultcode, 'SOAP-ENV:Client.authenticationError');
    assert.equal((await getWorkers({})).status, 200, 'a queued fault answers once by default');

    await adminPost('faults', { status: 503, times: 1 });
    const unavailable = await https(endpoint, {
      method: 'POST',
      body: envelope({}),
      headers: { 'content-type': 'text/xml' },
    });
    assert.equal(unavailable.status, 503);
  });

  it('serves its WSDL, and the soap package client built from it calls Get_Workers', async () => {
    await adminPost('workers/generate', { count: 2, updatedAt: T1 });
    const agent = new HttpsAgent({ ca: ca.caPem });
    const client = await soap.createClientAsync(`${endpoint}?wsdl`, {
      wsdl_options: { httpsAgent: agent },
    });
    client.setSecurity(
      new soap.WSSecurity(
        `${WORKDAY_DEFAULTS.username}@${WORKDAY_DEFAULTS.tenant}`,
        WORKDAY_DEFAULTS.password,
        {
          passwordType: 'PasswordText',
          hasTimeStamp: false,
          hasTokenCreated: false,
        },
      ),
    );
    const [result] = await client.Get_WorkersAsync(
      { Response_Filter: { Page: 1, Count: 5 } },
      { httpsAgent: agent },
    );
    assert.equal(Number(result.Response_Results.Total_Results), 2);
    assert.equal(result.Response_Data.Worker.length, 2);
    agent.destroy();
  });
});
