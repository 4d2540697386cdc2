// Frappe stores `creation` and `modified` as `YYYY-MM-DD HH:MM:SS[.ffffff]` in the site's time zone
// (System Settings), without an offset. This turns one into UTC epoch milliseconds.

const FRAPPE_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Whether `timeZone` is an IANA zone this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** UTC epoch ms of a site-local Frappe datetime; NaN when the text is not one. */
export function frappeTimeToUtcMs(value: string, timeZone: string): number {
  const m = FRAPPE_DATETIME.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, Math.floor(Number(frac.padEnd(6, '0')) / 1000));
  // The zone's offset at the instant near this wall time; a second pass settles DST changes.
  const first = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(first, timeZone);
}

/** How far the zone's wall clock is ahead of UTC at `epochMs`. */
function offsetMs(epochMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(epochMs)
      .map((p) => [p.type, Number(p.value)]),
  );
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** A UTC instant as the site-local Frappe datetime (`YYYY-MM-DD HH:MM:SS`) a write must send. */
export function utcMsToFrappeTime(epochMs: number, timeZone: string): string {
  const local = new Date(epochMs + offsetMs(epochMs, timeZone));
  return local.toISOString().slice(0, 19).replace('T', ' ');
}
