import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { simulatorPort, startAllSimulators } from '../../../simulators/run-all';
import { fetchWith, tempDir } from './helpers';

describe('simulators/run-all', () => {
  it('starts every simulator on free ports with one CA under dataDir/ca, and closes them', async () => {
    const tmp = await tempDir();
    const sims = await startAllSimulators({ dataDir: tmp.dir, ports: { slack: 0, graph: 0, erpnext: 0 } });
    const https = fetchWith(sims.caPem);
    try {
      assert.equal(sims.caFile, path.join(tmp.dir, 'ca', 'ca.pem'));
      assert.ok(existsSync(sims.caFile));
      assert.match(sims.slack.url, /^https?:\/\/(localhost|127\.0\.0\.1):\d+$/);
      assert.match(sims.graph.url, /^https:\/\/localhost:\d+$/);
      assert.match(sims.erpnext.url, /^https:\/\/localhost:\d+$/);
      assert.equal((await https(`${sims.erpnext.url}/api/method/ping`)).status, 200);
      assert.equal((await https(`${sims.graph.url}/__admin/messages`)).status, 200);
      assert.equal((await https(`${sims.slack.url}/__admin/messages`)).status, 200);
    } finally {
      await https.close();
      await sims.close();
      await tmp.remove();
    }
    const after = fetchWith(sims.caPem);
    await assert.rejects(after(`${sims.erpnext.url}/api/method/ping`), /fetch failed/);
    await after.close();
  });

  it('takes ports from arguments, then SIM_*_PORT, then the defaults', () => {
    assert.equal(simulatorPort('slack', 0, {}), 0);
    assert.equal(simulatorPort('slack', undefined, {}), 4101);
    assert.equal(simulatorPort('graph', undefined, {}), 4102);
    assert.equal(simulatorPort('erpnext', undefined, { SIM_ERPNEXT_PORT: '5000' }), 5000);
    assert.throws(() => simulatorPort('slack', undefined, { SIM_SLACK_PORT: 'x' }), /SIM_SLACK_PORT/);
  });
});
