// Frappe's site-local `creation`/`modified` (no offset) read as UTC instants.
import assert from 'node:assert/strict';
import { frappeTimeToUtcMs } from '../../src/vendors/frappeTime';

const utc = (value: string, timeZone: string) => new Date(frappeTimeToUtcMs(value, timeZone)).toISOString();

describe('Frappe site time', () => {
  it('converts site-local datetimes with microseconds, across daylight saving time', () => {
    assert.equal(utc('2024-07-01 12:00:00.123456', 'Europe/Berlin'), '2024-07-01T10:00:00.123Z');
    assert.equal(utc('2024-01-15 12:00:00', 'Europe/Berlin'), '2024-01-15T11:00:00.000Z');
    assert.equal(utc('2024-03-10 03:30:00', 'America/New_York'), '2024-03-10T07:30:00.000Z');
    assert.equal(utc('2024-07-01 12:00:00', 'UTC'), '2024-07-01T12:00:00.000Z');
    assert.ok(Number.isNaN(frappeTimeToUtcMs('2024-07-01T12:00:00Z', 'UTC')), 'not a Frappe datetime');
  });
});
