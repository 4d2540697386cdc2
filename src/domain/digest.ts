// The daily operations digest: what happened per connector in a window (runs, dead letters,
// remediation) and what is coming (change windows, pending CAB approvals), rendered for Slack
// (Block Kit + text fallback) and Teams (Adaptive Card + text fallback) within each channel's
// limits. Pure: the activity collects, the workflow returns the model, the senders render it.

export type RemediationKind =
  'breaker-opened' | 'breaker-closed' | 'escalation' | 'redrive' | 'expired' | 'dropped';

export interface RemediationAction {
  at: string;
  kind: RemediationKind;
  detail: string;
}

export interface ConnectorDigest {
  connector: string;
  /** Runs closed in the window, from Temporal's visibility. */
  runs: { succeeded: number; failed: number; stopped: number };
  /** A few of the failed runs (newest first): workflow id and type. */
  failedRuns: { workflowId: string; workflowType: string; closedAt: string }[];
  deadLetters?: { count: number; oldestFirstFailedAt?: string };
  breaker?: 'open' | 'closed' | 'half-open';
  actions: RemediationAction[];
}

export interface ChangeWindow {
  number: string;
  shortDescription: string;
  start?: string;
  end?: string;
  approval: string;
}

export interface Digest {
  since: string;
  until: string;
  connectors: ConnectorDigest[];
  /** Absent when ServiceNow is not configured or could not be read (see `notes`). */
  changes?: { upcoming: ChangeWindow[]; pendingApproval: ChangeWindow[] };
  /** What the digest could not read, so a gap is said rather than hidden. */
  notes: string[];
  /** SMS pages in the window (Twilio's messages): absent when Twilio is not configured. */
  sms?: { sent: number; delivered: number; spent: number; currency: string };
}

export const DIGEST_LIMITS = {
  slackBlocks: 50,
  slackText: 3000,
  slackHeader: 150,
  /** Teams rejects messages over ~28 KB; the card stays well under it. */
  teamsCardBytes: 24_000,
} as const;

/** Failed runs and actions listed per connector; the counts always cover all of them. */
const MAX_DETAIL_LINES = 5;

/** Connectors with something to say first: failures, dead letters, open breakers, actions. */
export function sortConnectors(rows: ConnectorDigest[]): ConnectorDigest[] {
  const weight = (c: ConnectorDigest) =>
    (c.runs.failed > 0 ? 8 : 0) +
    (c.breaker && c.breaker !== 'closed' ? 4 : 0) +
    ((c.deadLetters?.count ?? 0) > 0 ? 2 : 0) +
    (c.actions.length > 0 ? 1 : 0);
  return [...rows].sort((a, b) => weight(b) - weight(a) || a.connector.localeCompare(b.connector));
}

export function digestTotals(digest: Digest) {
  return digest.connectors.reduce(
    (t, c) => ({
      succeeded: t.succeeded + c.runs.succeeded,
      failed: t.failed + c.runs.failed,
      deadLetters: t.deadLetters + (c.deadLetters?.count ?? 0),
      actions: t.actions + c.actions.length,
    }),
    { succeeded: 0, failed: 0, deadLetters: 0, actions: 0 },
  );
}

function title(digest: Digest): string {
  return `Integrations daily digest: ${digest.since.slice(0, 16).replace('T', ' ')} → ${digest.until.slice(0, 16).replace('T', ' ')} UTC`;
}

function headline(digest: Digest): string {
  const t = digestTotals(digest);
  const sms = digest.sms
    ? ` SMS: ${digest.sms.sent} sent, ${digest.sms.delivered} delivered, ${digest.sms.spent.toFixed(2)} ${digest.sms.currency} spent.`
    : '';
  return `${t.succeeded} runs succeeded, ${t.failed} failed across ${digest.connectors.length} connectors; ${t.deadLetters} dead letters; ${t.actions} remediation actions.${sms}`;
}

/** One connector as plain lines (shared by the text fallback and the Slack section). */
export function connectorLines(c: ConnectorDigest, bold: (s: string) => string = (s) => s): string[] {
  const dlq = c.deadLetters
    ? `dead letters ${c.deadLetters.count}${c.deadLetters.oldestFirstFailedAt ? ` (oldest ${c.deadLetters.oldestFirstFailedAt})` : ''}`
    : 'dead letters –';
  const lines = [
    `${bold(c.connector)}: ✅ ${c.runs.succeeded} succeeded · ❌ ${c.runs.failed} failed${c.runs.stopped ? ` · ⏹ ${c.runs.stopped} stopped` : ''} · ${dlq} · breaker ${c.breaker ?? '–'}`,
  ];
  for (const f of c.failedRuns.slice(0, MAX_DETAIL_LINES))
    lines.push(`  failed: ${f.workflowType} ${f.workflowId} at ${f.closedAt}`);
  for (const a of c.actions.slice(0, MAX_DETAIL_LINES)) lines.push(`  ${a.kind}: ${a.detail} (${a.at})`);
  const more = Math.max(0, c.actions.length - MAX_DETAIL_LINES);
  if (more > 0) lines.push(`  …and ${more} more actions`);
  return lines;
}

function changeLine(w: ChangeWindow): string {
  const when = w.start ? `${w.start}${w.end ? ` – ${w.end}` : ''}` : 'no window set';
  return `${w.number} ${w.shortDescription} · ${when} · approval ${w.approval}`;
}

function changeLines(digest: Digest): string[] {
  if (!digest.changes) return [];
  const { upcoming, pendingApproval } = digest.changes;
  return [
    `Upcoming change windows (7 days): ${upcoming.length === 0 ? 'none' : ''}`.trimEnd(),
    ...upcoming.map((w) => `  ${changeLine(w)}`),
    `Pending CAB approvals: ${pendingApproval.length === 0 ? 'none' : ''}`.trimEnd(),
    ...pendingApproval.map((w) => `  ${changeLine(w)}`),
  ];
}

/** Plain text: Slack's notification fallback and the Teams message body. Capped at `max` chars. */
export function digestText(digest: Digest, max: number = DIGEST_LIMITS.slackText): string {
  const lines = [
    `📋 ${title(digest)}`,
    headline(digest),
    ...sortConnectors(digest.connectors).flatMap((c) => connectorLines(c)),
    ...changeLines(digest),
    ...digest.notes.map((n) => `note: ${n}`),
  ];
  return truncate(lines.join('\n'), max);
}

/** Slack Block Kit: header, headline, one section per connector, changes, notes; ≤ 50 blocks. */
export function digestSlackBlocks(digest: Digest): object[] {
  const section = (text: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text, DIGEST_LIMITS.slackText) },
  });
  const head: object[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`📋 ${title(digest)}`, 150) } },
    section(headline(digest)),
    { type: 'divider' },
  ];
  const tail: object[] = [];
  const changes = changeLines(digest);
  if (changes.length > 0) tail.push({ type: 'divider' }, section(changes.join('\n')));
  if (digest.notes.length > 0)
    tail.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(digest.notes.join(' · '), DIGEST_LIMITS.slackText) }],
    });
  const rows = sortConnectors(digest.connectors);
  const room = DIGEST_LIMITS.slackBlocks - head.length - tail.length;
  const shown = rows.length <= room ? rows : rows.slice(0, room - 1);
  const body = shown.map((c) => section(connectorLines(c, (s) => `*${s}*`).join('\n')));
  const hidden = rows.slice(shown.length);
  if (hidden.length > 0)
    body.push(section(`…and ${hidden.length} more: ${hidden.map((c) => c.connector).join(', ')}`));
  return [...head, ...body, ...tail];
}

/** Adaptive Card 1.4 for Teams: a header and one row per connector; rows dropped to fit the size cap. */
export function digestAdaptiveCard(digest: Digest): object {
  const rows = sortConnectors(digest.connectors);
  const build = (shown: ConnectorDigest[]) => {
    const hidden = rows.length - shown.length;
    return {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: title(digest), weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: headline(digest), wrap: true },
        cardRow(['Connector', 'Succeeded', 'Failed', 'Dead letters', 'Breaker'], true),
        ...shown.flatMap((c) => [
          cardRow([
            c.connector,
            String(c.runs.succeeded),
            String(c.runs.failed),
            c.deadLetters ? String(c.deadLetters.count) : '–',
            c.breaker ?? '–',
          ]),
          ...(c.failedRuns.length + c.actions.length > 0
            ? [
                {
                  type: 'TextBlock',
                  text: connectorLines(c).slice(1).join('\n\n'),
                  wrap: true,
                  size: 'Small',
                  isSubtle: true,
                },
              ]
            : []),
        ]),
        ...(hidden > 0 ? [{ type: 'TextBlock', text: `…and ${hidden} more connectors`, wrap: true }] : []),
        ...(digest.changes
          ? [{ type: 'TextBlock', text: changeLines(digest).join('\n\n'), wrap: true, separator: true }]
          : []),
        ...(digest.notes.length > 0
          ? [{ type: 'TextBlock', text: digest.notes.join(' · '), wrap: true, isSubtle: true, size: 'Small' }]
          : []),
      ],
    };
  };
  // The most rows that fit: binary search, as each try serializes the whole card.
  let [fits, tooMany] = [0, rows.length + 1];
  while (tooMany - fits > 1) {
    const mid = Math.floor((fits + tooMany) / 2);
    if (byteLength(build(rows.slice(0, mid))) <= DIGEST_LIMITS.teamsCardBytes) fits = mid;
    else tooMany = mid;
  }
  const card = build(rows.slice(0, fits));
  return card;
}

function cardRow(cells: string[], header = false): object {
  return {
    type: 'ColumnSet',
    separator: header,
    columns: cells.map((text, i) => ({
      type: 'Column',
      width: i === 0 ? 'stretch' : 'auto',
      items: [{ type: 'TextBlock', text, wrap: true, weight: header ? 'Bolder' : 'Default' }],
    })),
  };
}

function byteLength(value: unknown): number {
  // No Buffer here: this module also runs inside workflows.
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
