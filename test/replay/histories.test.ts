// Saved histories of real runs must replay with the current workflow code: a non-deterministic
// change fails here, not in production. Record new ones with RECORD_HISTORIES=1 npm run mocha.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { auditWorkerOptions } from '../../src/auditWorker';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

describe('replay of saved histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has saved histories to replay', () => {
    assert.ok(files.length > 0, `no histories in ${HISTORIES}`);
  });

  it('replays every saved history with the current workflow code', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as object,
    }));
    const results = Worker.runReplayHistories(
      // The production worker's audit sink and interceptors, so the replay runs the same code.
      { workflowsPath: require.resolve('../../src/workflows'), ...auditWorkerOptions() },
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
