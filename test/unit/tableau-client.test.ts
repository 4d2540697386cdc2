// The Tableau client against the Tableau simulator over HTTPS: sign-in (JSON and XML), one session
// per PAT, filters and paging with numbers as strings, refresh jobs, 409093, session loss, 429.
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { createLocalCa } from '../../simulators/kit/local-ca';
import { TABLEAU_SIM_DEFAULTS, startTableauSimulator } from '../../simulators/tableau/server';
import type { TableauState } from '../../simulators/tableau/state';
import { VendorError } from '../../src/vendors/errors';
import { TableauClient } from '../../src/vendors/tableau';
import { waitFor } from '../helpers/waitFor';
import { tempDir } from './simulators/helpers';

/** Reads a refresh job through Tableau's API until it has ended. */
function finished(c: TableauClient, jobId: string) {
  return waitFor(`job ${jobId} to end`, async () => {
    const job = await c.getJob(jobId);
    return job.finishCode === undefined ? undefined : job;
  });
}

describe('Tableau client against the Tableau simulator', () => {
  let sim: HttpSimulator<TableauState>;
  let caPem: string;
  let dispatcher: Agent;
  let removeDir: () => Promise<void>;

  const client = (overrides: Partial<ConstructorParameters<typeof TableauClient>[0]> = {}) =>
    new TableauClient({
      serverUrl: sim.url,
      apiVersion: '3.24',
      siteContentUrl: TABLEAU_SIM_DEFAULTS.siteContentUrl,
      patName: TABLEAU_SIM_DEFAULTS.patName,
      patSecret: TABLEAU_SIM_DEFAULTS.patSecret,
      extraCaPem: caPem,
      ...overrides,
    });

  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.url}${path}`, { ...init, ...({ dispatcher } as object) });

  const adminPost = async (path: string, body: unknown) => {
    const response = await raw(`/__admin/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `admin ${path} → ${response.status}`);
    return response.json() as Promise<unknown>;
  };

  before(async () => {
    const dir = await tempDir('tableau-client-');
    removeDir = dir.remove;
    const ca = await createLocalCa(dir.dir);
    caPem = ca.caPem;
    dispatcher = new Agent({ connect: { ca: caPem } });
    sim = await startTableauSimulator({ port: 0, tls: { ca } });
  });
  after(async () => {
    await sim?.close();
    await dispatcher?.close();
    await removeDir?.();
  });
  beforeEach(() => adminPost('reset', {}));

  it('signs in with a PAT over XML too, and a second sign-in ends the first session', async () => {
    const body =
      `<tsRequest><credentials personalAccessTokenName="${TABLEAU_SIM_DEFAULTS.patName}" ` +
      `personalAccessTokenSecret="${TABLEAU_SIM_DEFAULTS.patSecret}"><site contentUrl="acme" /></credentials></tsRequest>`;
    const response = await raw('/api/3.24/auth/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body,
    });
    assert.equal(response.status, 200);
    const xml = await response.text();
    const token = /<credentials token="([^"]+)"/.exec(xml)?.[1];
    const siteId = /<site id="([^"]+)" contentUrl="acme"/.exec(xml)?.[1];
    assert.ok(token && siteId, xml);

    const c = client();
    await c.signIn();
    const old = await raw(`/api/3.24/sites/${siteId}/datasources`, { headers: { 'x-tableau-auth': token } });
    assert.equal(old.status, 401);
    assert.match(await old.text(), /<error code="401002">/);
    assert.equal((await c.listDataSources()).length, 4);
  });

  it('rejects a wrong PAT secret as 401001, an auth error', async () => {
    const err = await client({ patSecret: 'wrong' })
      .signIn()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof VendorError);
    assert.equal(err.kind, 'auth');
    assert.equal(err.details.code, '401001');
  });

  it('filters by name, project and tag and follows the pages', async () => {
    const c = client();
    assert.deepEqual(
      (await c.listDataSources({ tags: ['workday'] }, 1)).map((d) => d.name),
      ['Workday Compensation', 'Workday Headcount'],
    );
    const finance = await c.listDataSources({ projects: ['Finance'] });
    assert.deepEqual(
      finance.map((d) => [d.name, d.hasExtracts]),
      [
        ['Finance GL', true],
        ['Live Sales', false],
      ],
    );
    assert.deepEqual(
      (
        await c.listDataSources({ names: ['Finance GL', 'Workday Headcount'], projects: ['HR Analytics'] })
      ).map((d) => d.name),
      ['Workday Headcount'],
    );
  });

  it('refreshes into an async job that ends with finishCode 0; a duplicate is 409093', async () => {
    const c = client();
    const [ds] = await c.listDataSources({ names: ['Finance GL'] });
    const job = await c.refreshDataSource(ds!.id);
    assert.equal(job.finishCode, undefined);
    const duplicate = await c.refreshDataSource(ds!.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(duplicate instanceof VendorError);
    assert.equal(duplicate.details.code, '409093');
    assert.equal(await c.findActiveRefreshJob('Finance GL'), job.id);
    const done = await finished(c, job.id);
    assert.equal(done.finishCode, 0);
    assert.equal(done.progress, 100);
    assert.ok(done.completedAt);
    assert.equal(await c.findActiveRefreshJob('Finance GL'), undefined);
    const [live] = await c.listDataSources({ names: ['Live Sales'] });
    const liveErr = await c.refreshDataSource(live!.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(liveErr instanceof VendorError);
    assert.equal(liveErr.details.code, '409090');
  });

  it('fails a refresh on a schema error until the connection is updated', async () => {
    await adminPost('datasources/Finance GL/schema-error', { column: 'cost_center' });
    const c = client();
    const [ds] = await c.listDataSources({ names: ['Finance GL'] });
    const first = await c.refreshDataSource(ds!.id);
    const failed = await finished(c, first.id);
    assert.equal(failed.finishCode, 1);
    assert.match(failed.notes ?? '', /Invalid column name 'cost_center'/);
    const [conn] = await c.listConnections(ds!.id);
    const updated = await c.updateConnection(ds!.id, conn!.id, { serverAddress: conn!.serverAddress });
    assert.equal(updated.serverAddress, 'warehouse.example.internal');
    assert.equal((updated as unknown as Record<string, unknown>).password, undefined);
    const second = await c.refreshDataSource(ds!.id);
    assert.equal((await finished(c, second.id)).finishCode, 0);
  });

  it('signs in again once when the session is lost, and shares one sign-in between callers', async () => {
    const c = client();
    await c.signIn();
    await adminPost('sessions/expire', {});
    const results = await Promise.all([c.listDataSources(), c.listDataSources(), c.listDataSources()]);
    assert.deepEqual(
      results.map((r) => r.length),
      [4, 4, 4],
    );
    assert.equal(c.signIns, 2, 'one sign-in at start, one after the session was lost');
  });

  it('reports 429 as rate-limited with the Retry-After seconds', async () => {
    const c = client();
    await c.signIn();
    await adminPost('faults', { status: 429, retryAfterSeconds: 7, times: 1, path: '/api/3.24/sites' });
    const err = await c.listDataSources().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof VendorError);
    assert.equal(err.kind, 'rate-limited');
    assert.equal(err.details.retryAfterSeconds, 7);
    assert.equal(err.details.code, '429000');
  });
});
