import assert from 'node:assert/strict';
import {
  formatStatusTable,
  successRate,
  vendorCallsFromMetrics,
  type StatusRow,
} from '../../src/domain/statusTable';

const now = new Date('2026-11-26T09:00:00Z');

const rows: StatusRow[] = [
  {
    connector: 'servicenow',
    lastRun: {
      workflowType: 'servicenowIncidentSync',
      workflowId: 'servicenow-incident-sync-2026',
      closedAt: '2026-11-26T08:55:00Z',
      outcome: 'succeeded',
    },
    runs24h: { succeeded: 287, failed: 1 },
    deadLetters: 0,
    breaker: 'closed',
  },
  { connector: 'erpnext', runs24h: { succeeded: 0, failed: 0 }, deadLetters: 3, breaker: 'open' },
];

describe('status table', () => {
  it('prints one aligned row per connector: last run and when, outcome, success rate, dead letters, breaker', () => {
    const lines = formatStatusTable(rows, now).split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^CONNECTOR\s+LAST RUN\s+CLOSED\s+OUTCOME\s+SUCCESS 24H\s+DEAD LETTERS\s+BREAKER$/,
    );
    assert.match(lines[1]!, /^erpnext\s+–\s+–\s+–\s+–\s+3\s+open$/);
    assert.match(
      lines[2]!,
      /^servicenow\s+servicenowIncidentSync\s+2026-11-26 08:55Z \(5m ago\)\s+succeeded\s+100% \(287\/288\)\s+0\s+closed$/,
    );
    // Columns line up across lines.
    assert.equal(lines[0]!.indexOf('BREAKER'), lines[2]!.lastIndexOf('closed'));
    assert.equal(lines[0]!.indexOf('BREAKER'), lines[1]!.lastIndexOf('open'));
    assert.equal(lines[0]!.indexOf('DEAD LETTERS'), lines[1]!.lastIndexOf('3'));
  });

  it('rounds success rates and shows – without finished runs', () => {
    assert.equal(successRate({ succeeded: 2, failed: 1 }), '67% (2/3)');
    assert.equal(successRate({ succeeded: 0, failed: 0 }), '–');
  });

  it('adds vendor calls per connector from the worker metrics', () => {
    const metrics = [
      '# TYPE integration_vendor_call_duration_seconds histogram',
      'integration_vendor_call_duration_seconds_bucket{connector="slack",operation="chat.postMessage",outcome="success",le="0.05"} 3',
      'integration_vendor_call_duration_seconds_count{connector="slack",operation="chat.postMessage",outcome="success",service_name="temporal-core-sdk"} 7',
      'integration_vendor_call_duration_seconds_count{connector="slack",operation="chat.postMessage",outcome="rate-limited",service_name="temporal-core-sdk"} 2',
      'integration_vendor_call_duration_seconds_count{connector="servicenow",operation="list.incident",outcome="success"} 5',
    ].join('\n');
    const calls = vendorCallsFromMetrics(metrics);
    assert.deepEqual(calls.get('slack'), { total: 9, failed: 2 });
    const table = formatStatusTable(
      rows.map((r) => ({ ...r, vendorCalls: calls.get(r.connector) })),
      now,
    ).split('\n');
    assert.match(table[0]!, /VENDOR CALLS \(FAILED\)$/);
    assert.match(table[1]!, /open\s+–$/);
    assert.match(table[2]!, /closed\s+5 \(0\)$/);
  });
});
