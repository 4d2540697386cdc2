// The payload codec on the production topology: the cluster's workers and clients encrypt every
// payload PostgreSQL stores, and the Web UI is configured to decode through the cluster's codec
// server, which answers the UI's origin with the token in its path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { readinessCheck } from '../../src/workflows';
import { plainPayloads, withDecodedPayloads } from '../helpers/history';
import { testCluster, type TestCluster } from './sharedCluster';

describe('cluster: encrypted payloads', () => {
  let t: TestCluster;
  before(async () => {
    t = await testCluster();
  });

  it('stores only encrypted payloads, and the Web UI decodes them through the codec server', async () => {
    const { cluster } = t;
    const handle = await cluster.client.workflow.start(readinessCheck, {
      taskQueue: cluster.taskQueue,
      workflowId: `cluster-codec-${Date.now()}`,
      args: [{ connectors: ['erpnext'], certWarnDays: 30, startRenewals: false }],
    });
    await handle.result();
    const raw = historyToJSON(await handle.fetchHistory());
    assert.deepEqual(plainPayloads(raw), [], 'payloads stored in the clear');
    assert.ok(!withDecodedPayloads(raw).includes('"erpnext"'), 'the input is readable without the codec');

    // The UI's settings name the codec endpoint (token in the path, as the UI cannot send a header).
    const settings = (await (await fetch(`${cluster.ui.url}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    const token = readFileSync(cluster.workerEnv(0).CODEC_SERVER_TOKEN_FILE!, 'utf8').trim();
    assert.equal(settings.Codec?.Endpoint, `${cluster.codecServer}/ui/${token}`);

    // What the UI's browser sends: the started event's input, from the UI's origin.
    const started = JSON.parse(raw).events[0].workflowExecutionStartedEventAttributes.input;
    const decode = await fetch(`${settings.Codec!.Endpoint}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: cluster.ui.url, 'x-namespace': 'default' },
      body: JSON.stringify(started),
    });
    assert.equal(decode.status, 200);
    assert.equal(decode.headers.get('access-control-allow-origin'), cluster.ui.url);
    const [payload] = ((await decode.json()) as { payloads: { data: string }[] }).payloads;
    assert.deepEqual(JSON.parse(Buffer.from(payload!.data, 'base64').toString()).connectors, ['erpnext']);
  });
});
