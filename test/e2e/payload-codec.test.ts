// The payload codec on a real dev server, read as a security review would: the stored history of
// a Workday import and of both ERPNext dead-letter queues holds none of the export's names or
// emails, while the codec (and the operator CLI with the key ring) reads them; EU dead letters are
// under the EU key and unreadable without it; search attributes and memos carry no personal data;
// keys rotate under a running workflow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { parse } from 'csv-parse/sync';
import { generateWorkdayExport } from '../../scripts/seed-workday';
import { EncryptionCodec } from '../../src/codec/encryptionCodec';
import { keyRingFrom } from '../../src/codec/keyRing';
import { createCodecServer } from '../../src/codec/server';
import { readBinaries } from '../../scripts/binaries';
import { createActivities } from '../../src/activities';
import { deadLetterItems } from '../../src/workflows/deadLetterQueue';
import { renewalActions, renewalStatus } from '../../src/workflows/certificateRenewal/messages';
import { certificateRenewal, workdayEmployeeImport } from '../../src/workflows';
import { TEST_KEY_RING, testDataConverter, testRing } from '../helpers/codec';
import { useE2eStack } from '../helpers/e2e';
import { payloadKeyIds, plainPayloads, recordHistory, withDecodedPayloads } from '../helpers/history';
import { admin } from '../helpers/simulators';
import { createTestWorker } from '../helpers/temporal';
import { eventually } from '../helpers/waitFor';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'integrations-e2e-codec';

describe('e2e: encrypted payloads (codec on) on the dev server', () => {
  const stack = useE2eStack(TASK_QUEUE, { dataConverter: testDataConverter() });
  const seeded = generateWorkdayExport({ rows: 80, seed: 16, invalidRate: 0.05 });
  const rows = parse(seeded.content, { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  // What identifies a person: full names and e-mail addresses (long enough not to occur by chance in ciphertext).
  const personal = rows.flatMap((r) => [`${r.Legal_First_Name} ${r.Legal_Last_Name}`, r.Email!]);
  const heldUs = seeded.validIds.us.at(-1)!;
  const heldEu = seeded.validIds.eu.at(-1)!;
  const rowOf = (id: string) => rows.find((r) => r.Employee_ID === id)!;
  const rawHistory = async (workflowId: string) =>
    historyToJSON(await stack().env.client.workflow.getHandle(workflowId).fetchHistory());
  const leaks = (text: string) => personal.filter((p) => text.includes(p));
  const cli = async (env: Record<string, string>, ...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: stack().env.address, TASK_QUEUE, LOG_LEVEL: 'silent', ...env },
    });

  before(async () => {
    const { simulators, caPem, env } = stack();
    const { erpnext, erpnextEu, sftp } = simulators.sims;
    const exports = join(sftp.rootDir, 'exports');
    mkdirSync(exports, { recursive: true });
    writeFileSync(join(exports, 'workers_20261130.csv'), seeded.content);
    // Each site refuses one of its employees: one dead letter per region.
    for (const [site, id] of [
      [erpnext, heldUs],
      [erpnextEu, heldEu],
    ] as const)
      await admin(
        site.url,
        'validation-rules',
        // The site's reason quotes the employee, as ERPNext's own messages often do.
        {
          doctype: 'Employee',
          field: 'employee_number',
          equals: id,
          message: `${id} (${rowOf(id).Email}) is on legal hold`,
        },
        caPem,
      );
    const report = await env.client.workflow.execute(workdayEmployeeImport, {
      taskQueue: TASK_QUEUE,
      workflowId: 'codec-workday-full',
      args: [{ mode: 'full', batchSize: 40, refreshTableauOnDrift: false }],
    });
    assert.equal(report.outcome, 'completed');
    assert.deepEqual([report.regions.us.failed, report.regions.eu.failed], [1, 1]);
  });

  it("stores none of the export's names or emails; the codec reads the same histories", async () => {
    const ring = keyRingFrom(TEST_KEY_RING);
    // Every run the import left behind (its queues, breakers, alerts), not only the three we know.
    const ids = new Set<string>();
    for await (const run of stack().env.client.workflow.list()) ids.add(run.workflowId);
    for (const id of ['codec-workday-full', 'dlq-erpnext', 'dlq-erpnext-eu']) assert.ok(ids.has(id), id);
    for (const id of ids) {
      const raw = await rawHistory(id);
      assert.deepEqual(
        leaks(withDecodedPayloads(raw)),
        [],
        `${id}: personal data readable without the codec`,
      );
      assert.deepEqual(plainPayloads(raw), [], `${id}: payloads left unencrypted`);
      assert.doesNotThrow(() => withDecodedPayloads(raw, ring), `${id}: the ring reads every payload`);
    }
    for (const id of ['codec-workday-full', 'dlq-erpnext', 'dlq-erpnext-eu']) {
      const readable = withDecodedPayloads(await rawHistory(id), ring);
      assert.match(readable, /"outcome"|"items"|"connector"/, `${id}: decoded payloads are JSON`);
    }
    const us = withDecodedPayloads(await rawHistory('dlq-erpnext'), ring);
    assert.ok(us.includes(rowOf(heldUs).Email!), 'the US dead letter reads with the codec');
    assert.ok(us.includes(`${rowOf(heldUs).Legal_First_Name} ${rowOf(heldUs).Legal_Last_Name}`));
    const items = await stack().env.client.workflow.getHandle('dlq-erpnext').query(deadLetterItems);
    assert.deepEqual(
      items.map((i) => i.key),
      [heldUs],
    );
    await recordHistory(stack().env.client.workflow.getHandle('dlq-erpnext-eu'), 'deadLetterQueue-eu-codec');
  });

  it('puts the EU dead letter under the EU key: the non-EU ring cannot read it and names the key', async () => {
    const eu = await rawHistory('dlq-erpnext-eu');
    assert.deepEqual([...payloadKeyIds(eu)], ['test-eu-1']);
    assert.ok(!payloadKeyIds(await rawHistory('dlq-erpnext')).has('test-eu-1'));
    assert.ok(withDecodedPayloads(eu, keyRingFrom(TEST_KEY_RING)).includes(rowOf(heldEu).Email!));
    assert.throws(
      () => withDecodedPayloads(eu, keyRingFrom(testRing({ withoutEu: true }))),
      /key test-eu-1, which is not in this codec key ring/,
    );

    // The operator's CLI: with the whole ring it shows the item, with the non-EU ring it says why not.
    const id = `erpnext-employee:${heldEu}`;
    const shown = await cli({ CODEC_KEYS: JSON.stringify(TEST_KEY_RING) }, 'dlq', 'show', 'erpnext-eu', id);
    assert.ok(shown.stdout.includes(rowOf(heldEu).Email!));
    await assert.rejects(
      cli({ CODEC_KEYS: JSON.stringify(testRing({ withoutEu: true })) }, 'dlq', 'show', 'erpnext-eu', id),
      (err: { stderr: string }) => /no eu key: dlq-erpnext-eu holds EU data/.test(err.stderr),
    );
  });

  it("encrypts failure messages under the run's key: a redrive refused with the employee's email", async () => {
    const email = rowOf(heldEu).Email!;
    const redrive = await cli(
      { CODEC_KEYS: JSON.stringify(TEST_KEY_RING) },
      'dlq',
      'redrive',
      'erpnext-eu',
      '--id',
      `erpnext-employee:${heldEu}`,
    );
    // The operator with the ring reads the site's reason; the stored history does not hold it.
    assert.ok(redrive.stdout.includes(email), redrive.stdout);
    assert.match(redrive.stdout, /0 succeeded, 1 failed/);
    const raw = await rawHistory('dlq-erpnext-eu');
    const failures = (
      JSON.parse(raw) as { events: Record<string, { failure?: { message: string } }>[] }
    ).events
      .map((e) => e.activityTaskFailedEventAttributes?.failure?.message)
      .filter((m) => m !== undefined);
    assert.ok(failures.length > 0, 'the redrive failed an activity');
    assert.deepEqual([...new Set(failures)], ['Encoded failure']);
    assert.ok(!withDecodedPayloads(raw).includes(email), 'the failure is readable without the codec');
    assert.deepEqual([...payloadKeyIds(raw)], ['test-eu-1']);
    assert.ok(withDecodedPayloads(raw, keyRingFrom(TEST_KEY_RING)).includes(email));
  });

  it('serves the codec server to the Temporal CLI: `temporal workflow show --codec-endpoint` reads the EU queue', async () => {
    const token = 'e2e-codec-token';
    const server = await createCodecServer({
      codec: new EncryptionCodec(keyRingFrom(TEST_KEY_RING)),
      token,
      corsOrigins: [],
    });
    const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const show = async (...extra: string[]) =>
        (
          await promisify(execFile)(
            readBinaries().cli.path,
            [
              'workflow',
              'show',
              '-w',
              'dlq-erpnext-eu',
              '--address',
              stack().env.address,
              '--output',
              'json',
              ...extra,
            ],
            { maxBuffer: 64 * 1024 * 1024 },
          )
        ).stdout;
      const email = rowOf(heldEu).Email!;
      assert.ok(!withDecodedPayloads(await show()).includes(email), 'readable without the codec server');
      assert.ok(
        withDecodedPayloads(
          await show('--codec-endpoint', endpoint, '--codec-auth', `Bearer ${token}`),
        ).includes(email),
      );
      await assert.rejects(show('--codec-endpoint', endpoint, '--codec-auth', 'Bearer wrong'));
    } finally {
      await server.close();
    }
  });

  it("keeps personal data out of every run's search attributes and memos", async () => {
    const { env } = stack();
    const runs = await eventually(
      async () => {
        const found = [];
        for await (const run of env.client.workflow.list()) found.push(run);
        return found;
      },
      (found) =>
        ['codec-workday-full', 'dlq-erpnext', 'dlq-erpnext-eu'].every((id) =>
          found.some((r) => r.workflowId === id),
        ),
    );
    for (const run of runs) {
      const visible = JSON.stringify([
        run.workflowId,
        run.searchAttributes,
        run.typedSearchAttributes,
        run.memo,
      ]);
      assert.deepEqual(leaks(visible), [], `${run.workflowId}: personal data in search attributes or memo`);
      for (const id of [heldUs, heldEu]) assert.ok(!visible.includes(rowOf(id).Email!));
    }
  });

  it('rotates keys under a running workflow: started under test-1, finished under test-2, both decode', async () => {
    const { env, deps, simulators } = stack();
    const taskQueue = 'integrations-e2e-codec-rotation';
    const onRing = async (ring: typeof TEST_KEY_RING) => {
      const dataConverter = testDataConverter(ring);
      const worker = await createTestWorker(env, {
        taskQueue,
        activities: createActivities(deps),
        dataConverter,
      });
      const running = worker.run();
      const client = new Client({ connection: env.connection, namespace: env.namespace, dataConverter });
      return { client, stop: async () => (worker.shutdown(), await running) };
    };
    const before = await onRing(testRing({ current: 'test-1' }));
    const handle = await before.client.workflow.start(certificateRenewal, {
      taskQueue,
      workflowId: 'codec-rotation-renewal',
      args: [
        {
          host: 'localhost',
          port: Number(new URL(simulators.sims.erpnext.url).port),
          // Later than the served certificate's expiry: the renewal waits for a new one.
          expiresAt: new Date(Date.now() + 5 * 365 * 86_400_000).toISOString(),
        },
      ],
    });
    await eventually(
      () => handle.query(renewalStatus),
      (s) => s.stage !== undefined,
    );
    await before.stop();

    const after = await onRing(testRing({ current: 'test-2' }));
    try {
      const rotated = after.client.workflow.getHandle(handle.workflowId);
      await rotated.executeUpdate(renewalActions.cancel.update, {
        args: [{ who: 'lee', reason: 'host retired' }],
      });
      assert.equal((await rotated.result()).outcome, 'cancelled');
    } finally {
      await after.stop();
    }
    const raw = await rawHistory(handle.workflowId);
    assert.deepEqual([...payloadKeyIds(raw)].sort(), ['test-1', 'test-2']);
    await recordHistory(
      after.client.workflow.getHandle(handle.workflowId),
      'certificateRenewal-codec-rotation',
    );
    const readable = withDecodedPayloads(raw, keyRingFrom(TEST_KEY_RING));
    assert.ok(readable.includes('host retired') && readable.includes('"expiresAt"'));
    assert.throws(
      () => withDecodedPayloads(raw, keyRingFrom(testRing({ drop: ['test-1'] }))),
      /key test-1, which is not in this codec key ring/,
    );
  });
});
