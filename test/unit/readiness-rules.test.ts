import assert from 'node:assert/strict';
import { alertAdaptiveCard, alertSlackBlocks, alertText, type Alert } from '../../src/domain/alert';
import { daysUntil, gradeCheck, type ConnectorCheck } from '../../src/domain/readiness';

const healthy: ConnectorCheck = {
  connector: 'erpnext',
  endpoint: 'https://erp.example.com',
  reachable: true,
  credentialsAccepted: true,
  tls: {
    trusted: true,
    subject: 'CN=erp',
    issuer: 'CN=ca',
    validTo: '2027-01-01T00:00:00.000Z',
    daysToExpiry: 90,
  },
};

describe('readiness rules', () => {
  it('grades a healthy connector ok, a soon-expiring certificate warn, an expired one fail', () => {
    assert.equal(gradeCheck(healthy, 30).status, 'ok');
    const soon = gradeCheck({ ...healthy, tls: { ...healthy.tls!, daysToExpiry: 10 } }, 30);
    assert.equal(soon.status, 'warn');
    assert.match(soon.reasons[0]!, /expires in 10 days/);
    assert.equal(gradeCheck({ ...healthy, tls: { ...healthy.tls!, daysToExpiry: 0 } }, 30).status, 'fail');
  });

  it('fails unreachable endpoints, rejected credentials and untrusted certificates', () => {
    assert.equal(
      gradeCheck({ ...healthy, reachable: false, error: 'ECONNREFUSED' }, 30).reasons[0],
      'unreachable: ECONNREFUSED',
    );
    assert.equal(gradeCheck({ ...healthy, credentialsAccepted: false }, 30).status, 'fail');
    const untrusted = gradeCheck(
      { ...healthy, tls: { ...healthy.tls!, trusted: false, trustError: 'SELF_SIGNED' } },
      30,
    );
    assert.deepEqual(untrusted.reasons, ['TLS not trusted: SELF_SIGNED']);
  });

  it('counts whole days left, rounding down', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    assert.equal(daysUntil(new Date('2026-12-05T11:59:59Z'), now), 9);
    assert.equal(daysUntil(new Date('2026-12-05T12:00:00Z'), now), 10);
  });
});

describe('alert rendering', () => {
  const alert: Alert = {
    title: 'Readiness check: WARN',
    severity: 'warning',
    summary: '3 connectors checked',
    facts: Array.from({ length: 12 }, (_, i) => ({ name: `c${i}`, value: `v${i}` })),
  };

  it('gives Slack a header, a summary and at most 10 fields per section, with a text fallback', () => {
    const blocks = alertSlackBlocks(alert) as { type: string; fields?: unknown[] }[];
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['header', 'section', 'section', 'section'],
    );
    assert.equal(blocks[2]!.fields!.length, 10);
    assert.equal(blocks[3]!.fields!.length, 2);
    assert.match(alertText(alert), /^⚠️ Readiness check: WARN\n3 connectors checked\n• c0: v0/);
  });

  it('gives Teams an Adaptive Card 1.4 with the facts', () => {
    const card = alertAdaptiveCard(alert) as {
      type: string;
      version: string;
      body: { type: string; facts?: unknown[] }[];
    };
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.version, '1.4');
    assert.equal(card.body.find((b) => b.type === 'FactSet')?.facts?.length, 12);
  });
});
