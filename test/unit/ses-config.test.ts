// The e-mail transport choice: SES needs the ses connector, SMTP its three settings, the digest
// list is a comma-separated list of addresses; the SES secret is a secret like the others.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';

const base = { EMAIL_FROM: 'integrations@example.com', ALERT_EMAIL_TO: 'ops@example.com' };
const ses = {
  SES_REGION: 'eu-west-1',
  SES_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  SES_SECRET_ACCESS_KEY: 'ses-secret-canary',
  SES_CONFIGURATION_SET: 'integrations',
};
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
};

describe('configuration: e-mail transport', () => {
  it('sends through SES when EMAIL_TRANSPORT=ses and the ses connector is set', () => {
    const config = loadConfig({
      ...base,
      ...ses,
      EMAIL_TRANSPORT: 'ses',
      DIGEST_EMAIL_TO: 'a@example.com, b@example.com',
    });
    assert.equal(config.email?.transport, 'ses');
    assert.deepEqual(config.email?.digestTo, ['a@example.com', 'b@example.com']);
    assert.equal(config.ses?.configurationSet, 'integrations');
    assert.ok(config.secrets.includes('ses-secret-canary'));
  });

  it('names what the chosen transport lacks and a bad digest address', () => {
    assert.deepEqual(problems({ ...base, EMAIL_TRANSPORT: 'ses' }), [
      'EMAIL_TRANSPORT=ses needs SES_REGION, SES_ACCESS_KEY_ID, SES_SECRET_ACCESS_KEY, SES_CONFIGURATION_SET',
    ]);
    assert.deepEqual(problems(base), [
      'EMAIL_TRANSPORT=smtp (the default) needs SMTP_HOST, SMTP_USER, SMTP_PASSWORD',
    ]);
    assert.match(
      problems({ ...base, ...ses, EMAIL_TRANSPORT: 'ses', DIGEST_EMAIL_TO: 'a@example.com,nope' }).join(),
      /DIGEST_EMAIL_TO/,
    );
  });
});
