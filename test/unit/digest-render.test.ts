import assert from 'node:assert/strict';
import {
  DIGEST_LIMITS,
  digestAdaptiveCard,
  digestSlackBlocks,
  digestText,
  type ConnectorDigest,
  type Digest,
} from '../../src/domain/digest';

function connector(name: string, over: Partial<ConnectorDigest> = {}): ConnectorDigest {
  return {
    connector: name,
    runs: { succeeded: 10, failed: 0, stopped: 0 },
    failedRuns: [],
    actions: [],
    ...over,
  };
}

const day: Digest = {
  since: '2026-11-25T09:00:00.000Z',
  until: '2026-11-26T09:00:00.000Z',
  connectors: [
    connector('tableau'),
    connector('erpnext', {
      runs: { succeeded: 3, failed: 2, stopped: 1 },
      failedRuns: [
        { workflowId: 'wf-1', workflowType: 'workdayEmployeeImport', closedAt: '2026-11-26T01:00:00Z' },
      ],
      deadLetters: { count: 4, oldestFirstFailedAt: '2026-11-24T12:00:00Z' },
      breaker: 'open',
      actions: [
        { at: '2026-11-26T02:00:00Z', kind: 'breaker-opened', detail: 'by renewal: certificate expired' },
      ],
    }),
  ],
  changes: {
    upcoming: [
      {
        number: 'CHG0000042',
        shortDescription: 'ERP certificate swap',
        start: '2026-11-27T22:00:00Z',
        end: '2026-11-27T23:00:00Z',
        approval: 'approved',
      },
    ],
    pendingApproval: [{ number: 'CHG0000043', shortDescription: 'Renew TLS', approval: 'requested' }],
  },
  notes: ['ServiceNow slow'],
};

function blockTexts(blocks: object[]): string[] {
  return (JSON.stringify(blocks).match(/"text":"(?:[^"\\]|\\.)*"/g) ?? []).map(
    (t) => JSON.parse(t.slice(7)) as string,
  );
}

describe('daily digest rendering', () => {
  it('says per connector what succeeded, failed, waits in the dead-letter queue and what was done', () => {
    const text = digestText(day);
    assert.match(
      text,
      /13 runs succeeded, 2 failed across 2 connectors; 4 dead letters; 1 remediation actions/,
    );
    assert.match(
      text,
      /erpnext: ✅ 3 succeeded · ❌ 2 failed · ⏹ 1 stopped · dead letters 4 \(oldest 2026-11-24T12:00:00Z\) · breaker open/,
    );
    assert.match(text, /failed: workdayEmployeeImport wf-1/);
    assert.match(text, /breaker-opened: by renewal: certificate expired/);
    assert.match(
      text,
      /CHG0000042 ERP certificate swap · 2026-11-27T22:00:00Z – 2026-11-27T23:00:00Z · approval approved/,
    );
    assert.match(text, /Pending CAB approvals:\n {2}CHG0000043 Renew TLS · no window set/);
    assert.match(text, /note: ServiceNow slow/);
    // Troubled connectors first.
    assert.ok(text.indexOf('erpnext:') < text.indexOf('tableau:'));
  });

  it('gives Slack a header, one section per connector and the changes, with the same fallback text', () => {
    const blocks = digestSlackBlocks(day) as { type: string; text?: { text: string } }[];
    assert.equal(blocks[0]!.type, 'header');
    const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    assert.ok(sections.some((t) => t.startsWith('*erpnext*: ✅ 3 succeeded · ❌ 2 failed')));
    assert.ok(sections.some((t) => t.startsWith('*tableau*: ✅ 10 succeeded · ❌ 0 failed')));
    assert.ok(sections.some((t) => t.includes('CHG0000043')));
  });

  it('stays within Slack limits with hundreds of connectors and long details', () => {
    const many: Digest = {
      ...day,
      connectors: Array.from({ length: 120 }, (_, i) =>
        connector(`connector-${String(i).padStart(3, '0')}`, {
          runs: { succeeded: i, failed: i % 3, stopped: 0 },
          actions: Array.from({ length: 40 }, (_, j) => ({
            at: '2026-11-26T02:00:00Z',
            kind: 'redrive' as const,
            detail: `${j} redriven ${'x'.repeat(300)}`,
          })),
        }),
      ),
    };
    const blocks = digestSlackBlocks(many);
    assert.ok(blocks.length <= DIGEST_LIMITS.slackBlocks, `${blocks.length} blocks`);
    for (const t of blocks.flatMap((b) => blockTexts([b])))
      assert.ok(t.length <= 3000, `text of ${t.length}`);
    const last = blocks.filter((b) => (b as { type: string }).type === 'section').at(-2) as {
      text: { text: string };
    };
    assert.match(last.text.text, /^…and \d+ more: connector-/);
    assert.ok(digestText(many).length <= DIGEST_LIMITS.slackText);
    assert.match(digestText(many), /…$/);
  });

  it('gives Teams an Adaptive Card with a row per connector, kept under the size cap', () => {
    const card = digestAdaptiveCard(day) as { version: string; body: object[] };
    assert.equal(card.version, '1.4');
    const json = JSON.stringify(card);
    assert.ok(json.includes('"text":"erpnext"') && json.includes('"text":"tableau"'));
    assert.ok(json.includes('"text":"Dead letters"'));

    const many: Digest = {
      ...day,
      connectors: Array.from({ length: 400 }, (_, i) =>
        connector(`connector-${i}`, {
          runs: { succeeded: 1, failed: 1, stopped: 0 },
          failedRuns: [
            { workflowId: `wf-${i}-${'y'.repeat(100)}`, workflowType: 'x', closedAt: '2026-11-26T01:00:00Z' },
          ],
        }),
      ),
    };
    const big = JSON.stringify(digestAdaptiveCard(many));
    assert.ok(Buffer.byteLength(big) <= DIGEST_LIMITS.teamsCardBytes, `${Buffer.byteLength(big)} bytes`);
    assert.match(big, /…and \d+ more connectors/);
  });

  it('says when ServiceNow could not be read instead of showing no changes', () => {
    const text = digestText({
      ...day,
      changes: undefined,
      notes: ['ServiceNow not configured: no change windows'],
    });
    assert.doesNotMatch(text, /Pending CAB approvals/);
    assert.match(text, /note: ServiceNow not configured/);
  });

  it('shows SMS sent, delivered and spent in every form when Twilio is configured, and nothing when not', () => {
    const withSms: Digest = { ...day, sms: { sent: 12, delivered: 11, spent: 0.0948, currency: 'USD' } };
    const line = /SMS: 12 sent, 11 delivered, 0\.09 USD spent\./;
    assert.match(digestText(withSms), line);
    assert.match(JSON.stringify(digestSlackBlocks(withSms)), line);
    assert.match(JSON.stringify(digestAdaptiveCard(withSms)), line);
    assert.doesNotMatch(digestText(day), /SMS:/);
  });
});
