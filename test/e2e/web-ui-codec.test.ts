// What an operator sees: the Temporal Web UI of a dev server started as `npm start` starts it
// (--ui-codec-endpoint with the token in the path), opened in Debian's chromium. The UI decodes
// a dead-letter queue's input and the signal that added an employee through the codec server; the
// stored payloads stay ciphertext.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { EncryptionCodec } from '../../src/codec/encryptionCodec';
import { keyRingFrom } from '../../src/codec/keyRing';
import { createCodecServer } from '../../src/codec/server';
import { addDeadLetters } from '../../src/workflows/deadLetterQueue';
import { deadLetterQueue } from '../../src/workflows';
import { TEST_KEY_RING, testDataConverter } from '../helpers/codec';
import { devServer, productWorkflowBundle } from '../helpers/temporal';
import { auditWorkerOptions } from '../../src/auditWorker';
import { Worker } from '@temporalio/worker';
import { freePort } from '../helpers/workerProcess';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'web-ui-codec-token';
const EMAIL = 'dana.whitfield@example.com';

describe('e2e: the Web UI decodes payloads through the codec server', () => {
  let env: TestWorkflowEnvironment;
  let codecServer: Awaited<ReturnType<typeof createCodecServer>>;
  let worker: Worker;
  let running: Promise<void>;
  let browser: Browser;
  let uiPort: number;

  before(async () => {
    uiPort = await freePort();
    codecServer = await createCodecServer({
      codec: new EncryptionCodec(keyRingFrom(TEST_KEY_RING)),
      token: TOKEN,
      corsOrigins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
    });
    const endpoint = await codecServer.listen({ port: 0, host: '127.0.0.1' });
    env = await devServer({
      dataConverter: testDataConverter(),
      ui: { port: uiPort, codecEndpoint: `${endpoint}/ui/${TOKEN}` },
    });
    // Workflows only: a queue that is just filled needs no activity.
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'e2e-web-ui-codec',
      workflowBundle: await productWorkflowBundle(),
      dataConverter: testDataConverter(),
      ...auditWorkerOptions(true),
    });
    running = worker.run();
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: scripts/setup.js --with-chromium installs Debian's chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
    await codecServer?.close();
  });

  it("shows a queue's input and the added employee decoded, while the server stores ciphertext", async () => {
    const handle = await env.client.workflow.signalWithStart(deadLetterQueue, {
      taskQueue: 'e2e-web-ui-codec',
      workflowId: 'dlq-erpnext',
      args: [{ connector: 'erpnext', retention: '7 days' }],
      signal: addDeadLetters,
      signalArgs: [
        [
          {
            connector: 'erpnext',
            kind: 'erpnext-employee',
            key: 'W100001',
            payload: { employee_number: 'W100001', personal_email: EMAIL },
            error: { type: 'ValidationError', message: 'refused', chain: ['refused'] },
            source: { workflowId: 'workday-import' },
            failedAt: new Date().toISOString(),
          },
        ],
      ],
    });
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes(EMAIL), 'the server stores the email in clear');

    const page = await browser.newPage();
    try {
      const url = `http://localhost:${uiPort}/namespaces/default/workflows/dlq-erpnext/${handle.signaledRunId}/history`;
      await page.goto(url);
      // The input card, decoded by the browser through the codec server.
      await page.getByText('7 days').first().waitFor({ timeout: 30_000 });
      // The signal's input: open the event.
      await page
        .getByText('WorkflowExecutionSignaled')
        .or(page.getByText('Workflow Execution Signaled'))
        .first()
        .click();
      await page.getByText(EMAIL).first().waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('binary/encrypted').count(), 0, 'the UI shows ciphertext');
    } catch (err) {
      const shot = join(tmpdir(), `web-ui-codec-${Date.now()}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      throw new Error(`${String(err)}\nscreenshot: ${shot}`);
    } finally {
      await page.close();
    }
  });
});
