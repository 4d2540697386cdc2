// What the readiness report names as each connector's endpoint, from configuration to the
// activity's result (issue 14: the SFTP endpoint read as the string "null").
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { activityDepsFromConfig } from '../../src/activities';
import { createReadinessActivities } from '../../src/activities/readiness';
import { loadConfig } from '../../src/config';
import type { ConnectorCheck } from '../../src/domain/readiness';

describe('readiness endpoint', () => {
  it('shows sftp://host:port/dir for the SFTP export server and "not configured" for a missing connector', async () => {
    const config = loadConfig({
      WORKDAY_SFTP_HOST: 'files.example.com',
      WORKDAY_SFTP_PORT: '2222',
      WORKDAY_SFTP_USERNAME: 'isu',
      WORKDAY_SFTP_PASSWORD: 'not-a-real-password',
      WORKDAY_SFTP_HOST_KEY_SHA256: `SHA256:${'A'.repeat(43)}`,
      WORKDAY_EXPORT_DIR: '/exports/workday',
    });
    const { connectors } = activityDepsFromConfig(config);
    // Only the credential call is replaced: there is no SFTP server behind this configuration.
    const probe = { ...connectors.sftp!, verifyCredentials: async () => [] };
    const acts = createReadinessActivities({ connectors: { sftp: probe } });
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const sftp = (await env.run(acts.checkConnector, 'sftp')) as ConnectorCheck;
    assert.equal(sftp.endpoint, 'sftp://files.example.com:2222/exports/workday');
    assert.equal(sftp.credentialsAccepted, true);
    const tableau = (await env.run(acts.checkConnector, 'tableau')) as ConnectorCheck;
    assert.equal(tableau.endpoint, 'not configured');
  });
});
