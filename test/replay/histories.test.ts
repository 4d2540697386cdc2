// Saved histories of real runs must replay with the current workflow code: a non-deterministic
// change fails here, not in production. Record new ones with RECORD_HISTORIES=1 npm run mocha.
// Histories recorded with the payload codec (the tests' key ring) replay through the same codec;
// the older ones, recorded without it, pass through it unchanged.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { auditWorkerOptions } from '../../src/auditWorker';
import { testDataConverter } from '../helpers/codec';
import { payloadKeyIds } from '../helpers/history';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

describe('replay of saved histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has saved histories to replay', () => {
    assert.ok(files.length > 0, `no histories in ${HISTORIES}`);
  });

  it('has histories recorded with the codec on, under more than one key', () => {
    const keys = new Set(files.flatMap((f) => [...payloadKeyIds(readFileSync(join(HISTORIES, f), 'utf8'))]));
    assert.ok(
      ['test-1', 'test-2', 'test-eu-1'].every((id) => keys.has(id)),
      `keys seen: ${[...keys].join(', ')}`,
    );
  });

  it('replays every saved history with the current workflow code', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as object,
    }));
    const results = Worker.runReplayHistories(
      // The production worker's audit sink and interceptors, so the replay runs the same code.
      {
        workflowsPath: require.resolve('../../src/workflows'),
        dataConverter: testDataConverter(),
        ...auditWorkerOptions(),
      },
      histories,
    );
    let replayed = 0;
    for await (const result of results) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, files.length);
  });
});
