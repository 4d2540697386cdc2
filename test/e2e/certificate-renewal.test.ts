// Issue flow end to end on the dev server: ERPNext's certificate is 10 days from expiry, the
// readiness check starts the renewal, the CAB approves from the CLI, the vendor swaps the
// certificate, and the workflow verifies the new one over TLS and completes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { CertificateRenewalReport } from '../../src/workflows/certificateRenewal';
import { renewalStatus } from '../../src/workflows/certificateRenewal/messages';
import type { ReadinessReport } from '../../src/workflows/readinessCheck';
import { ServicenowSimAccess } from '../helpers/servicenow';
import { useE2eStack } from '../helpers/e2e';
import { admin } from '../helpers/simulators';
import { eventually } from '../helpers/waitFor';
import { readinessCheck } from '../../src/workflows';

const ROOT = join(__dirname, '..', '..');
const HISTORIES = join(ROOT, 'test', 'fixtures', 'histories');
const TASK_QUEUE = 'integrations-renewal-e2e';

describe('e2e: certificate renewal from the readiness check to verification', () => {
  const stack = useE2eStack(TASK_QUEUE);

  const cli = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: stack().env.address, TASK_QUEUE, LOG_LEVEL: 'silent' },
      },
    );
    return stdout.trim();
  };

  it('renews, with the CAB approval sent from the CLI', async () => {
    const { env, simulators, caPem } = stack();
    const erpnext = simulators.sims.erpnext.url;
    await admin(erpnext, 'certificate', { daysValid: 10 }, caPem);

    const check = env.client.workflow.getHandle(
      (
        await env.client.workflow.start(readinessCheck, {
          taskQueue: TASK_QUEUE,
          workflowId: 'readiness-e2e-renewal',
          args: [{}],
        })
      ).workflowId,
    );
    const report = (await check.result()) as ReadinessReport;
    assert.deepEqual(report.renewals, ['certificate-renewal-localhost']);
    assert.equal(report.connectors.find((c) => c.connector === 'erpnext')?.tls?.daysToExpiry, 9);

    const renewal = env.client.workflow.getHandle('certificate-renewal-localhost');
    const status = await eventually(
      () => renewal.query(renewalStatus),
      (s) => s.level === 1,
    );
    assert.equal(status.stage, 'awaiting-cab');
    assert.equal(
      status.levelName,
      'vendor-success-manager',
      'T-14 has passed: the vendor success manager is told at once',
    );

    // A second readiness check finds the running renewal instead of starting another.
    const again = (await env.client.workflow.execute(readinessCheck, {
      taskQueue: TASK_QUEUE,
      workflowId: 'readiness-e2e-again',
      args: [{}],
    })) as ReadinessReport;
    assert.deepEqual(again.renewals, ['certificate-renewal-localhost']);

    assert.equal(
      await cli('renewal', 'cabDecision', 'localhost', '--who', 'cab-chair', '--approved'),
      'CAB approved: the vendor may renew',
    );
    await admin(erpnext, 'certificate', { daysValid: 90 }, caPem);
    assert.equal(
      await cli('renewal', 'renewed', 'localhost', '--who', 'vendor-ops'),
      'verifying the served certificate now',
    );

    const result = (await renewal.result()) as CertificateRenewalReport;
    assert.equal(result.outcome, 'renewed');
    assert.equal(result.cab, 'approved');
    assert.ok(Date.parse(result.newExpiresAt!) > Date.now() + 89 * 86_400_000);

    const slack = (await admin(simulators.sims.slack.url, 'messages', undefined, caPem)) as {
      text: string;
    }[];
    const titles = slack.map((m) => m.text.split('\n')[0]);
    for (const expected of [
      'Certificate renewal opened: localhost',
      'CAB approved the certificate renewal of localhost',
      'Certificate renewed: localhost',
    ]) {
      assert.ok(
        titles.some((t) => t?.includes(expected)),
        `Slack lacks "${expected}" in ${JSON.stringify(titles)}`,
      );
    }

    // What the vendors hold, read through their own APIs.
    const sn = new ServicenowSimAccess(simulators.sims.servicenow.url, caPem);
    const [ticket] = await sn.list('incident', `number=${result.vendorTicket}`);
    assert.equal(ticket?.assignment_group, 'ERP Vendor Operations');
    assert.equal(ticket?.state, '6', 'the vendor ticket is resolved');
    const [change] = await sn.list('change_request', `number=${result.changeRequest}`);
    assert.equal(change?.correlation_id, 'certificate-renewal-localhost');
    assert.equal(change?.state, '3', 'the change request is closed');
    const mail = (await admin(simulators.sims.smtp.admin.url, 'messages', undefined, caPem)) as {
      to: string[];
      subject: string;
    }[];
    assert.deepEqual(
      // The vendor's go-ahead, sent once CAB approved (the CAB gate).
      mail.filter((m) => m.subject.startsWith('CAB approved: renew the certificate')).map((m) => m.to),
      [['erp-vendor-ops@example.com']],
    );

    if (process.env.RECORD_HISTORIES) {
      writeFileSync(
        join(HISTORIES, 'certificateRenewal-e2e.json'),
        historyToJSON(await renewal.fetchHistory()),
      );
      writeFileSync(
        join(HISTORIES, 'readinessCheck-starts-renewal.json'),
        historyToJSON(await check.fetchHistory()),
      );
    }
  });
});
