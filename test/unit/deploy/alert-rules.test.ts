// The Prometheus alert rules, checked by Prometheus's own promtool: syntax (`check rules`) and
// behaviour (`test rules`: each alert fires on the series that should fire it, after its `for`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BACKLOG_AGE_METRIC, BACKLOG_COUNT_METRIC } from '../../../src/backlogMetrics';
import { metricNames } from '../../helpers/promql';

const dir = join(__dirname, '..', '..', '..', 'deploy', 'prometheus');

function promtool(...args: string[]): string {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  if (result.error)
    assert.fail(
      `promtool cannot run (${result.error.message}). Install it with: node scripts/setup.js --with-promtool ` +
        '(as root), or: sudo apt-get install -y prometheus',
    );
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `promtool ${args.join(' ')} failed:\n${output}`);
  return output;
}

describe('deploy: Prometheus alert rules', () => {
  it('are valid rules (promtool check rules)', () => {
    assert.match(promtool('check', 'rules', 'alerts.yml'), /SUCCESS: 6 rules found/);
  });

  it('fire when they should and stay quiet otherwise (promtool test rules)', () => {
    assert.match(promtool('test', 'rules', 'alerts.test.yml'), /SUCCESS/);
  });

  it('are loaded by prometheus.yml and query only metrics the workers export', () => {
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as { rule_files?: string[] };
    assert.deepEqual(config.rule_files, ['alerts.yml']);
    const rules = parse(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const listed = JSON.parse(readFileSync(join(dir, '..', 'metrics.json'), 'utf8')) as {
      sdk: string[];
      app: string[];
    };
    const known = new Set([...listed.sdk, ...listed.app, BACKLOG_COUNT_METRIC, BACKLOG_AGE_METRIC]);
    for (const rule of rules.groups.flatMap((g) => g.rules))
      for (const metric of metricNames(rule.expr))
        assert.ok(known.has(metric), `${rule.alert} queries ${metric}, which no worker exports`);
  });

  it('scale the workers (KEDA example) on the main queue backlog gauge, never on a vendor queue', () => {
    const scaled = parse(readFileSync(join(dir, '..', 'keda-scaledobject.yaml'), 'utf8')) as {
      spec: { triggers: { type: string; metadata: { query: string } }[] };
    };
    const queries = scaled.spec.triggers.map((t) => t.metadata.query);
    assert.deepEqual(
      queries.map(metricNames).flat().sort(),
      [BACKLOG_COUNT_METRIC, BACKLOG_AGE_METRIC].sort(),
    );
    for (const query of queries) assert.match(query, /task_queue="integrations"/);
  });
});
