// The ERPNext simulator's Employee resource: list (filters, fields, paging), get, insert, update,
// the batch RPCs and Frappe's error shapes, read through the REST API as a client would.
import assert from 'node:assert/strict';
import { startErpnextSimulator } from '../../../simulators/erpnext/server';
import type { ErpnextState } from '../../../simulators/erpnext/state';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../../simulators/kit/local-ca';
import { fetchWith, tempDir } from './helpers';

type Doc = Record<string, unknown> & { name: string };
const AUTH = { authorization: 'token sim-key:sim-secret' };

describe('simulators/erpnext Employee resource', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  let sim: HttpSimulator<ErpnextState>;
  let https: ReturnType<typeof fetchWith>;

  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
  });
  after(() => tmp.remove());
  beforeEach(async () => {
    sim = await startErpnextSimulator({ port: 0, tls: { ca } });
    https = fetchWith(ca.caPem);
  });
  afterEach(async () => {
    await https.close();
    await sim.close();
  });

  const employee = (n: number, extra: Record<string, unknown> = {}) => ({
    employee_number: `W${n}`,
    first_name: `First${n}`,
    last_name: 'Last',
    date_of_joining: '2020-01-01',
    status: 'Active',
    ...extra,
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Frappe bodies of many shapes, checked field by field
  async function call(method: string, path: string, json?: unknown): Promise<{ status: number; body: any }> {
    const r = await https(`${sim.url}${path}`, {
      method,
      headers: AUTH,
      ...(json !== undefined && { json }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  }
  const list = (params: Record<string, unknown>) =>
    call(
      'GET',
      `/api/resource/Employee?${new URLSearchParams(
        Object.fromEntries(
          Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
        ),
      )}`,
    );

  it('inserts, reads, updates and lists with filters, fields and paging', async () => {
    const created = await call('POST', '/api/resource/Employee', employee(1));
    assert.equal(created.status, 200);
    const name = (created.body.data as Doc).name;
    assert.match(name, /^HR-EMP-\d{5}$/);
    assert.match(String(created.body.data.modified), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    for (let n = 2; n <= 25; n++)
      assert.equal((await call('POST', '/api/resource/Employee', employee(n))).status, 200);

    const got = await call('GET', `/api/resource/Employee/${name}`);
    assert.equal(got.body.data.employee_number, 'W1');
    const updated = await call('PUT', `/api/resource/Employee/${name}`, { designation: 'CFO' });
    assert.equal(updated.body.data.designation, 'CFO');
    assert.equal(updated.body.data.first_name, 'First1');

    assert.equal((await list({})).body.data.length, 20, 'default page is 20');
    assert.deepEqual(Object.keys((await list({})).body.data[0]), ['name']);
    const all = await list({
      limit_page_length: 0,
      fields: ['name', 'employee_number'],
      order_by: 'employee_number asc',
    });
    assert.equal(all.body.data.length, 25);
    const page2 = await list({
      limit_start: 20,
      limit_page_length: 20,
      order_by: 'employee_number asc',
      fields: ['employee_number'],
    });
    assert.equal(page2.body.data.length, 5);
    const filtered = await list({
      filters: [['employee_number', 'in', ['W1', 'W7', 'W99']]],
      fields: ['employee_number', 'designation'],
      limit_page_length: 0,
      order_by: 'employee_number asc',
    });
    assert.deepEqual(filtered.body.data, [
      { employee_number: 'W1', designation: 'CFO' },
      { employee_number: 'W7', designation: null },
    ]);
    const dictFilter = await list({ filters: { designation: 'CFO' }, fields: ['*'] });
    assert.equal(dictFilter.body.data.length, 1);
    assert.equal(dictFilter.body.data[0].employee_number, 'W1');
    const like = await list({
      filters: [['Employee', 'employee_number', 'like', 'W2%']],
      limit_page_length: 0,
    });
    assert.equal(like.body.data.length, 7); // W2, W20..W25
  });

  it('answers Frappe error shapes: 404, 417 mandatory, 417 bad filter, 403 guest, 401 bad secret', async () => {
    const missing = await call('GET', '/api/resource/Employee/HR-EMP-99999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.exc_type, 'DoesNotExistError');
    const mandatory = await call('POST', '/api/resource/Employee', { first_name: 'x' });
    assert.equal(mandatory.status, 417);
    assert.equal(mandatory.body.exc_type, 'MandatoryError');
    const message = JSON.parse(JSON.parse(mandatory.body._server_messages)[0]).message as string;
    assert.match(message, /date_of_joining/);
    const badStatus = await call('POST', '/api/resource/Employee', employee(1, { status: 'Gone' }));
    assert.equal(badStatus.status, 417);
    assert.equal(badStatus.body.exc_type, 'ValidationError');
    assert.equal((await list({ filters: '[["a"' })).status, 417);
    const guest = await https(`${sim.url}/api/resource/Employee`);
    assert.equal(guest.status, 403);
    const wrong = await https(`${sim.url}/api/resource/Employee`, {
      headers: { authorization: 'token sim-key:nope' },
    });
    assert.equal(wrong.status, 401);
  });

  it('insert_many stores all or nothing, at most 200; bulk_update reports failed docs', async () => {
    const docs = [1, 2, 3].map((n) => ({ doctype: 'Employee', ...employee(n) }));
    const inserted = await call('POST', '/api/method/frappe.client.insert_many', { docs });
    assert.equal(inserted.status, 200);
    assert.equal(inserted.body.message.length, 3);
    assert.equal(new Set(inserted.body.message).size, 3);

    const bad = await call('POST', '/api/method/frappe.client.insert_many', {
      docs: [
        { doctype: 'Employee', ...employee(4) },
        { doctype: 'Employee', first_name: 'no date' },
      ],
    });
    assert.equal(bad.status, 417);
    assert.equal(
      (await list({ limit_page_length: 0 })).body.data.length,
      3,
      'nothing of the failed request stored',
    );

    const tooMany = await call('POST', '/api/method/frappe.client.insert_many', {
      docs: JSON.stringify(
        Array.from({ length: 201 }, (_, i) => ({ doctype: 'Employee', ...employee(i + 10) })),
      ),
    });
    assert.equal(tooMany.status, 417);

    const [first, second] = inserted.body.message as string[];
    const updated = await call('POST', '/api/method/frappe.client.bulk_update', {
      docs: [
        { doctype: 'Employee', docname: first, designation: 'Lead' },
        { doctype: 'Employee', docname: 'HR-EMP-77777', designation: 'Ghost' },
        { doctype: 'Employee', docname: second, status: 'Left', relieving_date: '2024-01-01' },
      ],
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.message.failed_docs.length, 1);
    assert.equal(updated.body.message.failed_docs[0].doc.docname, 'HR-EMP-77777');
    assert.equal((await call('GET', `/api/resource/Employee/${first}`)).body.data.designation, 'Lead');
    assert.equal((await call('GET', `/api/resource/Employee/${second}`)).body.data.status, 'Left');
  });
});
