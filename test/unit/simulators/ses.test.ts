// The SES v2 client against the SES simulator: a send carries the configuration set and tags, the
// sandbox refuses unverified recipients (MessageRejected: that recipient only), the max send rate
// throttles (rate-limited, retry after a second) and unknown credentials are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createLocalCa } from '../../../simulators/kit/local-ca';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { SES_SIM_ACCESS_KEY_ID, startSesSimulator } from '../../../simulators/ses/server';
import { VendorError } from '../../../src/vendors/errors';
import { isRecipientRejected, SesClient } from '../../../src/vendors/ses';

describe('SES v2 client and simulator', function () {
  this.timeout(30_000);
  let dir: string;
  let sim: HttpSimulator<{ sent: { to: string[]; configurationSet?: string; tags: object }[] }>;
  let caPem: string;
  const client = (accessKeyId = SES_SIM_ACCESS_KEY_ID) =>
    new SesClient({
      region: 'eu-west-1',
      endpoint: sim.url,
      accessKeyId,
      secretAccessKey: 'sim-secret',
      from: 'integrations@example.com',
      configurationSet: 'ops',
      extraCaPem: caPem,
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected a refusal'),
      (err: unknown) => err as VendorError,
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ses-sim-'));
    const ca = await createLocalCa(join(dir, 'ca'));
    caPem = ca.caPem;
    sim = (await startSesSimulator({
      tls: { ca },
      region: 'eu-west-1',
      verified: ['example.com'],
    })) as never;
  });
  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends with the configuration set and tags; refuses unverified recipients, sends over the rate and unknown keys', async () => {
    const ses = client();
    const message = { subject: 'Hi', text: 'x', tags: { connector: 'platform', kind: 'digest' } };
    const sent = await ses.send({ to: ['ops@example.com'], ...message });
    assert.match(sent.messageId, /^0100/);
    assert.deepEqual(sim.state.sent.at(-1), {
      ...sim.state.sent.at(-1),
      to: ['ops@example.com'],
      configurationSet: 'ops',
      tags: message.tags,
    });

    const rejected = await failure(ses.send({ to: ['someone@unverified.test'], ...message }));
    assert.ok(isRecipientRejected(rejected), rejected.message);

    // Rate 0 per second: every send is over it, however slow this machine is.
    await fetch(`${sim.url}/__admin/ses/rate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxSendRate: 0 }),
      ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
    });
    const throttled = await failure(ses.send({ to: ['ops@example.com'], ...message }));
    assert.equal(throttled.kind, 'rate-limited');
    assert.equal(throttled.details.retryAfterSeconds, 1);

    const denied = await failure(
      client('AKIAUNKNOWN000000000').send({ to: ['ops@example.com'], ...message }),
    );
    assert.equal(denied.kind, 'auth');
  });
});
