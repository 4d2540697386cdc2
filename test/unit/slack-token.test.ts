// The rotating Slack token's store and use: 0600 file, re-read when another worker replaced it, an
// expired token never sent to Slack, and readiness grading of the token's expiry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { createLocalCa } from '../../simulators/kit/local-ca';
import { startSlackSimulator, type SlackState } from '../../simulators/slack/server';
import { gradeCheck } from '../../src/domain/readiness';
import { SlackClient } from '../../src/vendors/slack';
import {
  FileTokenStore,
  storedTokenSource,
  usableToken,
  type SlackTokenRecord,
} from '../../src/vendors/slackTokenStore';
import { admin } from '../helpers/simulators';

const HOUR = 3_600_000;

describe('Slack token store and rotation rules', () => {
  let dir: string;
  let sim: HttpSimulator<SlackState>;
  let caPem: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slack-token-unit-'));
    const ca = await createLocalCa(join(dir, 'ca'));
    caPem = ca.caPem;
    sim = await startSlackSimulator({ port: 0, tls: { ca } });
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (accessToken: string, expiresInMs: number): SlackTokenRecord => ({
    accessToken,
    refreshToken: 'xoxe-1-r',
    refreshedAt: new Date(Date.now() - HOUR).toISOString(),
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  });

  it('writes the file with mode 0600 and readers see a replacement by another process', () => {
    const path = join(dir, 'token.json');
    const writer = new FileTokenStore(path);
    const reader = new FileTokenStore(path);
    writer.write(record('xoxe.xoxb-one', 12 * HOUR));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(reader.read()?.accessToken, 'xoxe.xoxb-one');
    new FileTokenStore(path).write(record('xoxe.xoxb-two', 12 * HOUR));
    assert.equal(reader.read()?.accessToken, 'xoxe.xoxb-two');
  });

  it('never sends a token past its expiry to Slack', async () => {
    const expired = record('xoxe.xoxb-expired', -1000);
    assert.deepEqual(usableToken(expired), {
      problem: `the Slack token expired at ${expired.expiresAt} (refresh failed?)`,
    });
    const client = new SlackClient({
      apiUrl: `${sim.url}/api/`,
      extraCaPem: caPem,
      botToken: storedTokenSource({ read: () => expired, write: () => {} }),
    });
    await assert.rejects(client.postMessage('#integration-ops', 'hello', []), /token expired/);
    const requests = (await admin(sim.url, 'requests', undefined, caPem)) as { path: string }[];
    assert.deepEqual(
      requests.filter((r) => r.path.startsWith('/api/')),
      [],
      'no request reached Slack',
    );
  });

  it('Slack refuses a rotated token once its 12 hours are over', async () => {
    const client = new SlackClient({ apiUrl: `${sim.url}/api/`, extraCaPem: caPem, botToken: 'unused' });
    const issued = await client.refreshToken('sim-client-id', 'sim-client-secret', 'xoxe-1-sim-initial');
    assert.equal(issued.expiresInSeconds, 43_200);
    const rotated = new SlackClient({
      apiUrl: `${sim.url}/api/`,
      extraCaPem: caPem,
      botToken: issued.accessToken,
    });
    assert.equal((await rotated.authTest()).user, 'sim-bot');
    await admin(sim.url, 'clock', { advanceSeconds: 43_201 }, caPem);
    await assert.rejects(rotated.authTest(), /token_expired/);
    await assert.rejects(
      client.refreshToken('sim-client-id', 'sim-client-secret', 'xoxe-1-sim-initial'),
      /invalid_refresh_token/,
      'a refresh token works once',
    );
  });

  it('grades a token close to expiry as a warning and an expired one as a failure', () => {
    const base = {
      connector: 'slack',
      endpoint: 'https://slack.com',
      reachable: true,
      credentialsAccepted: true,
    };
    const token = (expiresInHours: number) => ({
      refreshedAt: '2026-11-30T00:00:00Z',
      expiresAt: '2026-11-30T12:00:00Z',
      ageHours: 12 - expiresInHours,
      expiresInHours,
    });
    assert.equal(gradeCheck({ ...base, token: token(9) }, 30).status, 'ok');
    assert.equal(gradeCheck({ ...base, token: token(0.5) }, 30).status, 'warn');
    assert.equal(gradeCheck({ ...base, token: token(0) }, 30).status, 'fail');
  });
});
