// twilioCostGuard: one run per UTC day (schedule at midnight), reading Twilio's usage records for
// today's SMS count and spend every `checkEvery`. It warns once when the spend reaches
// TWILIO_DAILY_WARN_AT and says once when it reaches TWILIO_DAILY_CAP, from which point the worker
// holds every non-critical SMS page until the day ends (it checks the same usage before sending).
import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Duration } from '@temporalio/common';
import { twilioCostGuardInput } from '../domain/inputs/twilio';
import { SPEND_RANK, spendLevel, type SpendLevel } from '../domain/sms';
import { announce } from './shared/announce';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export interface CostGuardReport {
  date: string;
  checks: number;
  level: SpendLevel;
  count?: number;
  spent?: number;
  currency?: string;
  /** Levels announced today, in order. */
  announced: SpendLevel[];
  /** Why the guard stopped early (Twilio not configured) or the last read failed. */
  note?: string;
}

export const costGuardStatus = defineQuery<CostGuardReport>('costGuardStatus');

const read = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

const DEFAULT_CHECK_EVERY: Duration = '15 minutes';
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function twilioCostGuard(raw: { checkEvery?: Duration }): Promise<CostGuardReport> {
  const input = beginRun(twilioCostGuardInput, raw, (i) => ({
    connector: 'twilio',
    details: `Today's SMS spend against the daily warning and cap, every ${String(i.checkEvery ?? DEFAULT_CHECK_EVERY)}.`,
  }));
  const report: CostGuardReport = { date: utcDay(Date.now()), checks: 0, level: 'ok', announced: [] };
  setHandler(costGuardStatus, () => report);
  dropUnknownSignals();

  while (utcDay(Date.now()) === report.date) {
    report.checks++;
    const today = await read.twilioSpendToday().catch((err: unknown) => {
      report.note = `usage not read: ${(err as Error).message.slice(0, 300)}`;
      return null;
    });
    if (today === undefined) {
      report.note = 'Twilio is not configured';
      return report;
    }
    if (today) {
      Object.assign(report, { count: today.count, spent: today.spent, currency: today.currency });
      report.note = undefined;
      const level = spendLevel(today.spent, today);
      report.level = level;
      const highest = report.announced.at(-1) ?? 'ok';
      if (SPEND_RANK[level] > SPEND_RANK[highest]) {
        report.announced.push(level);
        await announce(spendAlert(level, today));
      }
    }
    await sleep(input.checkEvery ?? DEFAULT_CHECK_EVERY);
  }
  return report;
}

function spendAlert(
  level: SpendLevel,
  today: { count: number; spent: number; currency: string; warnAt?: number; cap?: number },
) {
  const spent = `${today.spent.toFixed(2)} ${today.currency}`;
  const facts = [
    { name: 'SMS today', value: String(today.count) },
    { name: 'Spent today', value: spent },
    ...(today.warnAt !== undefined ? [{ name: 'Warning at', value: String(today.warnAt) }] : []),
    ...(today.cap !== undefined ? [{ name: 'Daily cap', value: String(today.cap) }] : []),
  ];
  return level === 'capped'
    ? {
        title: 'Twilio daily SMS cap reached: non-critical SMS stopped',
        severity: 'critical' as const,
        summary: `Today's SMS spend is ${spent}, at or over the daily cap. Only critical alerts go out by SMS until midnight UTC; the rest go to chat and email only.`,
        facts,
        connector: 'twilio',
      }
    : {
        title: 'Twilio SMS spend above the daily warning',
        severity: 'warning' as const,
        summary: `Today's SMS spend is ${spent}. Check for a fallback-route or retry storm before the daily cap stops non-critical SMS.`,
        facts,
        connector: 'twilio',
      };
}
