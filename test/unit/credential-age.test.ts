// The readiness check reports how old each secret is and warns past 30 days: from the secret
// file's modification time, or from `<NAME>_ROTATED_AT` when the secret comes another way.
import assert from 'node:assert/strict';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { activityDepsFromConfig } from '../../src/activities';
import { createReadinessActivities } from '../../src/activities/readiness';
import { ConfigError, loadConfig } from '../../src/config';
import { gradeCheck } from '../../src/domain/readiness';

const DAY = 86_400_000;

describe('credential age in the readiness check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cred-age-'));
  const secretFile = join(dir, 'erpnext-secret');
  writeFileSync(secretFile, 'erp-secret\n');
  const fileRotated = new Date(Date.now() - 40 * DAY);
  utimesSync(secretFile, fileRotated, fileRotated);
  const settingRotated = new Date(Date.now() - 10 * DAY);
  const config = loadConfig({
    ERPNEXT_URL: 'http://127.0.0.1:1',
    ERPNEXT_API_KEY: 'key',
    ERPNEXT_API_SECRET_FILE: secretFile,
    SERVICENOW_URL: 'http://127.0.0.1:1',
    SERVICENOW_USERNAME: 'integration.user',
    SERVICENOW_PASSWORD: 'sn-password',
    SERVICENOW_PASSWORD_ROTATED_AT: settingRotated.toISOString(),
  });

  async function check(connector: string) {
    const probe = {
      ...activityDepsFromConfig(config).connectors[connector]!,
      verifyCredentials: async () => 'ok',
    };
    const { checkConnector } = createReadinessActivities({ connectors: { [connector]: probe } });
    return gradeCheck(await new MockActivityEnvironment().run(checkConnector, connector), 30);
  }

  it('warns about a secret file last written 40 days ago, naming the secret and its age', async () => {
    const erpnext = await check('erpnext');
    assert.deepEqual(erpnext.credentials, [
      { secret: 'ERPNEXT_API_SECRET', rotatedAt: fileRotated.toISOString(), ageDays: 40 },
    ]);
    assert.equal(erpnext.status, 'warn');
    assert.match(erpnext.reasons.join('\n'), /ERPNEXT_API_SECRET is 40 days old/);
  });

  it('takes the age from <NAME>_ROTATED_AT and does not warn at 10 days', async () => {
    const servicenow = await check('servicenow');
    assert.deepEqual(servicenow.credentials, [
      { secret: 'SERVICENOW_PASSWORD', rotatedAt: settingRotated.toISOString(), ageDays: 10 },
    ]);
    assert.equal(servicenow.status, 'ok', servicenow.reasons.join('; '));
  });

  it('refuses a rotation date it cannot read, naming the variable', () => {
    assert.throws(
      () => loadConfig({ SERVICENOW_PASSWORD: 'x', SERVICENOW_PASSWORD_ROTATED_AT: 'last tuesday' }),
      (err: unknown) => err instanceof ConfigError && /SERVICENOW_PASSWORD_ROTATED_AT/.test(err.message),
    );
  });
});
