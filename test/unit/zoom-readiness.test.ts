// The readiness check reports the Zoom webhook secret's age like every secret's (its file's mtime,
// or the rotation time an operator recorded) and warns once it is older than the inventory's 30 days.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { activityDepsFromConfig } from '../../src/activities';
import { createReadinessActivities } from '../../src/activities/readiness';
import { loadConfig } from '../../src/config';
import { gradeCheck, type ConnectorCheck } from '../../src/domain/readiness';

const DAY = 86_400_000;
const zoomEnv = {
  ZOOM_API_URL: 'http://zoom.invalid/v2/',
  ZOOM_ACCOUNT_ID: 'acct',
  ZOOM_CLIENT_ID: 'client',
  ZOOM_CLIENT_SECRET: 'not-a-real-secret',
};

describe('readiness: Zoom webhook secret age', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'zoom-secret-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function check(env: Record<string, string>): Promise<ConnectorCheck> {
    const { connectors } = activityDepsFromConfig(loadConfig({ ...zoomEnv, ...env }));
    // Only the credential call is replaced: there is no Zoom behind this configuration.
    const probe = { ...connectors.zoom!, verifyCredentials: async () => 'token' };
    const acts = createReadinessActivities({ connectors: { zoom: probe } });
    const activityEnv = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    return (await activityEnv.run(acts.checkConnector, 'zoom')) as ConnectorCheck;
  }

  const webhookSecret = (result: ConnectorCheck) =>
    result.credentials?.find((c) => c.secret === 'ZOOM_WEBHOOK_SECRET');

  it("warns when the secret's file was last replaced more than 30 days ago", async () => {
    const file = path.join(dir, 'zoom_webhook_secret');
    writeFileSync(file, 'secret');
    const rotated = new Date(Date.now() - 40 * DAY);
    utimesSync(file, rotated, rotated);
    const result = await check({ ZOOM_WEBHOOK_SECRET_FILE: file });
    assert.deepEqual(webhookSecret(result), {
      secret: 'ZOOM_WEBHOOK_SECRET',
      rotatedAt: rotated.toISOString(),
      ageDays: 40,
    });
    const graded = gradeCheck(result, 30);
    assert.equal(graded.status, 'warn');
    assert.match(graded.reasons.join('\n'), /ZOOM_WEBHOOK_SECRET is 40 days old/);
  });

  it('takes a recorded rotation time over the file, and a fresh secret is fine', async () => {
    const file = path.join(dir, 'zoom_webhook_secret_fresh');
    writeFileSync(file, 'secret');
    const old = new Date(Date.now() - 90 * DAY);
    utimesSync(file, old, old);
    const rotatedAt = new Date(Date.now() - 3 * DAY).toISOString();
    const result = await check({ ZOOM_WEBHOOK_SECRET_FILE: file, ZOOM_WEBHOOK_SECRET_ROTATED_AT: rotatedAt });
    assert.equal(webhookSecret(result)?.ageDays, 3);
    assert.equal(gradeCheck(result, 30).status, 'ok');
  });
});
