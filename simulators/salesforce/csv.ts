// Bulk API 2.0 CSV: a header line, LF line endings, RFC 4180 quoting; `#N/A` writes a null.
import { parse } from 'csv-parse/sync';
import type { Row } from './soql';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(fields: string[], rows: Row[]): string {
  return [fields.join(','), ...rows.map((r) => fields.map((f) => cell(r[f])).join(','))].join('\n') + '\n';
}

export function fromCsv(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Row[];
}
