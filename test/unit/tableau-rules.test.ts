import assert from 'node:assert/strict';
import {
  classifyFailure,
  jobState,
  pollDelaySeconds,
  refreshAlert,
  refreshInputForDrift,
  countOutcomes,
  type DataSourceResult,
} from '../../src/domain/tableau';

describe('Tableau refresh rules', () => {
  it('reads finishCode: absent running, 0 and 3 success, 1 failed, 2 cancelled', () => {
    assert.deepEqual([undefined, 0, 1, 2, 3].map(jobState), [
      'running',
      'succeeded',
      'failed',
      'cancelled',
      'succeeded',
    ]);
  });

  it('tells schema errors from credentials and time limits', () => {
    assert.equal(classifyFailure("DataSourceException: Invalid column name 'cost_center'."), 'schema');
    assert.equal(classifyFailure('ERROR: column "region" does not exist'), 'schema');
    assert.equal(classifyFailure('The embedded password for the connection is missing'), 'credentials');
    assert.equal(classifyFailure('The query time resource limit (7200 seconds) was exceeded.'), 'time-limit');
    assert.equal(classifyFailure(undefined), 'other');
  });

  it('backs off polling by doubling up to the cap', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 60].map((n) => pollDelaySeconds(n, 15, 300)),
      [15, 30, 60, 120, 240, 300, 300],
    );
  });

  it('turns a Workday drift report into an upstream-drift refresh of the workday-tagged extracts', () => {
    assert.deepEqual(refreshInputForDrift({ newFields: ['cost_center_hierarchy'] }), {
      reason: 'upstream-drift',
      datasources: { tags: ['workday'] },
      drift: { source: 'workday', newFields: ['cost_center_hierarchy'] },
    });
  });

  it('alerts with the reason and owner of each failure, critical when any failed', () => {
    const results: DataSourceResult[] = [
      {
        datasourceId: '1',
        name: 'A',
        project: 'P',
        outcome: 'succeeded',
        jobId: 'j1',
        attempts: 2,
        durationSeconds: 40,
        repairedConnections: 1,
      },
      {
        datasourceId: '2',
        name: 'B',
        project: 'P',
        outcome: 'failed',
        jobId: 'j2',
        attempts: 1,
        durationSeconds: 30,
        reason: 'boom',
        owner: 'Raj Patel (raj.patel)',
      },
    ];
    const alert = refreshAlert(
      { reason: 'schedule', site: 'acme', counts: countOutcomes(results), datasources: results },
      'run-1',
    );
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.title, 'Tableau extract refresh: 1 of 2 need attention');
    assert.match(
      alert.facts![0]!.value,
      /succeeded · job j1 · 2 attempts · connection updated after schema error/,
    );
    assert.match(
      alert.facts![1]!.value,
      /failed · job j2 · 30s · reason: boom · owner: Raj Patel \(raj.patel\)/,
    );
  });
});
