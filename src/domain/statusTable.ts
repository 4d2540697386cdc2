// The CLI `status` table: one row per connector with its last run, 24 h success rate, dead
// letters and breaker state. Pure, so the layout is tested without a Temporal server.

export interface StatusRow {
  connector: string;
  lastRun?: { workflowType: string; workflowId: string; closedAt: string; outcome: string };
  runs24h: { succeeded: number; failed: number };
  deadLetters?: number;
  breaker?: 'open' | 'closed' | 'half-open';
  /** Vendor calls since the worker started, from its /metrics (absent when not read). */
  vendorCalls?: { total: number; failed: number };
}

export const STATUS_HEADERS = [
  'CONNECTOR',
  'LAST RUN',
  'CLOSED',
  'OUTCOME',
  'SUCCESS 24H',
  'DEAD LETTERS',
  'BREAKER',
] as const;

/** `95% (19/20)`; `–` when nothing finished in the window. */
export function successRate(runs: { succeeded: number; failed: number }): string {
  const total = runs.succeeded + runs.failed;
  if (total === 0) return '–';
  return `${Math.round((runs.succeeded / total) * 100)}% (${runs.succeeded}/${total})`;
}

/** `3m ago`, `5h ago`, `2d ago`. */
export function ago(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

export function statusCells(row: StatusRow, now: Date): string[] {
  return [
    row.connector,
    row.lastRun?.workflowType ?? '–',
    row.lastRun
      ? `${row.lastRun.closedAt.slice(0, 16).replace('T', ' ')}Z (${ago(row.lastRun.closedAt, now)})`
      : '–',
    row.lastRun?.outcome ?? '–',
    successRate(row.runs24h),
    row.deadLetters === undefined ? '–' : String(row.deadLetters),
    row.breaker ?? '–',
  ];
}

/**
 * Rows sorted by connector, columns padded to the widest cell, two spaces apart. The vendor-calls
 * column appears when the worker's metrics were read.
 */
export function formatStatusTable(rows: StatusRow[], now: Date): string {
  const withMetrics = rows.some((r) => r.vendorCalls);
  const headers: string[] = [...STATUS_HEADERS, ...(withMetrics ? ['VENDOR CALLS (FAILED)'] : [])];
  const body = [...rows]
    .sort((a, b) => a.connector.localeCompare(b.connector))
    .map((r) => [
      ...statusCells(r, now),
      ...(withMetrics ? [r.vendorCalls ? `${r.vendorCalls.total} (${r.vendorCalls.failed})` : '–'] : []),
    ]);
  const table = [headers, ...body];
  const widths = headers.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  return table
    .map((cells) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Vendor calls per connector from the worker's Prometheus text (`…_duration_seconds_count` series). */
export function vendorCallsFromMetrics(text: string): Map<string, { total: number; failed: number }> {
  const calls = new Map<string, { total: number; failed: number }>();
  const series = /^integration_vendor_call_duration_seconds_count\{([^}]*)\}\s+([0-9.eE+-]+)/;
  for (const line of text.split('\n')) {
    const m = series.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (!labels.connector) continue;
    const entry = calls.get(labels.connector) ?? { total: 0, failed: 0 };
    const n = Number(m[2]);
    entry.total += n;
    if (labels.outcome !== 'success') entry.failed += n;
    calls.set(labels.connector, entry);
  }
  return calls;
}
