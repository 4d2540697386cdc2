import assert from 'node:assert/strict';
import { SCHEDULES, scheduleOptions } from '../../src/schedules';

describe('schedule table', () => {
  it('runs the readiness check daily, tagged with its connector, skipping overlaps', () => {
    const entry = SCHEDULES.find((s) => s.workflowType === 'readinessCheck');
    assert.ok(entry, 'readinessCheck is scheduled');
    const options = scheduleOptions(entry, 'integrations', 'Europe/Berlin');
    assert.deepEqual(options.spec, { cronExpressions: ['0 7 * * *'], timezone: 'Europe/Berlin' });
    assert.equal(options.action.type, 'startWorkflow');
    assert.equal(options.policies?.overlap, 'SKIP');
    assert.deepEqual(
      options.action.typedSearchAttributes && 'length' in options.action.typedSearchAttributes
        ? options.action.typedSearchAttributes.map((p) => [p.key.name, p.value])
        : undefined,
      [['Connector', 'platform']],
    );
  });

  it('has unique ids and one JSON object as every input', () => {
    assert.equal(new Set(SCHEDULES.map((s) => s.id)).size, SCHEDULES.length);
    for (const s of SCHEDULES) assert.ok(typeof s.input === 'object' && !Array.isArray(s.input));
  });
});

describe('Workday schedules', () => {
  it('imports the full export nightly and deltas hourly, one run at a time', () => {
    const byMode = (mode: string) =>
      SCHEDULES.find(
        (s) => s.workflowType === 'workdayEmployeeImport' && (s.input as { mode?: string }).mode === mode,
      );
    const full = byMode('full');
    const delta = byMode('delta');
    assert.equal(full?.cron, '0 2 * * *');
    assert.equal(delta?.cron, '15 * * * *');
    for (const entry of [full!, delta!]) {
      assert.equal(entry.connector, 'workday');
      assert.equal(scheduleOptions(entry, 'q', 'UTC').policies?.overlap, 'SKIP');
    }
  });
});

describe('Twilio cost guard schedule', () => {
  it("starts a guard at Twilio's UTC midnight whatever SCHEDULE_TIME_ZONE says; the next waits for the last", () => {
    const entry = SCHEDULES.find((s) => s.workflowType === 'twilioCostGuard');
    assert.ok(entry, 'twilioCostGuard is scheduled');
    const options = scheduleOptions(entry, 'q', 'America/New_York');
    assert.deepEqual(options.spec, { cronExpressions: ['0 0 * * *'], timezone: 'UTC' });
    assert.equal(options.policies?.overlap, 'BUFFER_ONE');
    assert.equal(entry.longRunning, true);
  });
});

describe('Salesforce schedules', () => {
  it('wakes the Account sync every 15 minutes, one firing at a time', () => {
    const entry = SCHEDULES.find((s) => s.workflowType === 'salesforceAccountSync');
    assert.ok(entry, 'salesforceAccountSync is scheduled');
    assert.equal(entry.cron, '*/15 * * * *');
    assert.deepEqual(entry.input, { trigger: 'schedule' });
    assert.equal(entry.overlap, 'SKIP');
  });
});
