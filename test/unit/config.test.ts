import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, secretValues } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('starts with defaults when no connector is configured', () => {
    const config = loadConfig({});
    assert.equal(config.taskQueue, 'integrations');
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.slack, undefined);
    assert.equal(config.erpnext, undefined);
  });

  it('names every invalid and missing variable in one message', () => {
    const problems = problemsOf({ METRICS_PORT: 'ninety', LOG_LEVEL: 'loud', ERPNEXT_URL: 'not a url' });
    assert.equal(problems.length, 4);
    assert.match(
      problems.join('\n'),
      /ERPNEXT_API_KEY, ERPNEXT_API_SECRET missing: erpnext is partly configured/,
    );
    assert.match(problems.join('\n'), /METRICS_PORT/);
    assert.match(problems.join('\n'), /LOG_LEVEL/);
    assert.match(problems.join('\n'), /ERPNEXT_URL/);
  });

  it('reports a partly configured connector with the variables it still needs', () => {
    const problems = problemsOf({ ERPNEXT_URL: 'https://erp.example.com', ERPNEXT_API_KEY: 'k' });
    assert.deepEqual(problems, [
      'ERPNEXT_API_SECRET missing: erpnext is partly configured (ERPNEXT_URL, ERPNEXT_API_KEY set)',
    ]);
  });

  it('reads secrets from NAME_FILE and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 's3cret-from-file\n');
    const config = loadConfig({
      ERPNEXT_URL: 'https://erp.example.com',
      ERPNEXT_API_KEY: 'k',
      ERPNEXT_API_SECRET_FILE: file,
    });
    assert.equal(config.erpnext?.apiSecret, 's3cret-from-file');
    assert.deepEqual(secretValues(config), ['s3cret-from-file']);
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'x',
      SLACK_BOT_TOKEN_FILE: file,
      GRAPH_CLIENT_SECRET_FILE: join(dir, 'missing'),
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set/);
    assert.match(problems[1]!, /GRAPH_CLIENT_SECRET_FILE=.*missing cannot be read \(ENOENT\)/);
  });

  it('never puts secret values into the error message', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxb-very-secret', METRICS_PORT: '-1' });
    assert.doesNotMatch(problems.join('\n'), /xoxb-very-secret/);
  });
});
