// Twilio activities: send one alert's SMS page to the on-call roles, and read today's SMS spend.
// Roles are resolved to numbers here in the worker; results name roles and message sids only.
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import type { Alert } from '../domain/alert';
import { mayPage, smsText, spendLevel, type PagedMessage, type SpendLimits } from '../domain/sms';
import type { TwilioSettings } from '../connectors';
import { ApplicationFailure } from '@temporalio/common';
import type { SmsUsage, TwilioClient } from '../vendors/twilio';
import { vendorCall } from './shared/failures';

export interface TwilioDeps {
  client?: TwilioClient;
  settings?: Pick<
    TwilioSettings,
    'oncall' | 'severities' | 'undeliveredAfterMs' | 'warnAt' | 'cap' | 'statusCallbackUrl'
  >;
}

export interface SmsPageSend {
  status: 'sent' | 'skipped' | 'held';
  /** Why nothing went out (not configured, severity, the daily cap). */
  reason?: string;
  messages: PagedMessage[];
  /** How long the page waits for `delivered` before it falls over to email. */
  undeliveredAfterMs: number;
}

export interface SmsSpendToday extends SmsUsage, SpendLimits {
  /** The usage day (UTC), YYYY-MM-DD. */
  date: string;
}

const DAY_MS = 86_400_000;

/** A short tag in the SMS body: a retried attempt finds the message its earlier attempt sent. */
function pageMarker(pageId: string, role: string): string {
  return `ref ${createHash('sha256').update(`${pageId}/${role}`).digest('hex').slice(0, 10)}`;
}

/** Twilio's code when it refused the number itself (vendorCall made it a non-retryable InvalidRequest). */
function refusedNumberCode(err: unknown): number | undefined {
  if (!(err instanceof ApplicationFailure) || err.type !== 'InvalidRequest') return undefined;
  const code = Number((err.details?.[0] as { code?: string } | undefined)?.code);
  return Number.isInteger(code) ? code : undefined;
}

export function createTwilioActivities(deps: TwilioDeps) {
  const usage = (client: TwilioClient) =>
    vendorCall('twilio', 'usage.records.today', () => client.smsUsageToday());

  return {
    async sendSmsPage(input: { alert: Alert; pageId: string }): Promise<SmsPageSend> {
      const { client, settings } = deps;
      const waitMs = settings?.undeliveredAfterMs ?? 10 * 60_000;
      const none = (status: 'skipped' | 'held', reason: string): SmsPageSend => ({
        status,
        reason,
        messages: [],
        undeliveredAfterMs: waitMs,
      });
      if (!client || !settings) return none('skipped', 'Twilio is not configured');
      const roles = Object.entries(settings.oncall);
      if (roles.length === 0) return none('skipped', 'no on-call numbers (TWILIO_ONCALL_NUMBERS)');
      const { severity } = input.alert;
      if (!settings.severities.includes(severity))
        return none('skipped', `${severity} alerts do not page (TWILIO_SMS_SEVERITIES)`);
      if (severity !== 'critical' && settings.cap !== undefined) {
        const today = await usage(client);
        if (!mayPage(severity, spendLevel(today.spent, settings))) {
          log.warn('SMS held: daily cap reached', { spent: today.spent, cap: settings.cap });
          return none('held', `daily SMS cap reached: ${today.spent} of ${settings.cap} ${today.currency}`);
        }
      }

      const { attempt } = Context.current().info;
      const callback =
        settings.statusCallbackUrl &&
        `${settings.statusCallbackUrl}?page=${encodeURIComponent(input.pageId)}`;
      const messages: PagedMessage[] = [];
      for (const [role, number] of roles) {
        const marker = pageMarker(input.pageId, role);
        const earlier =
          attempt > 1
            ? await vendorCall('twilio', 'messages.list', () =>
                client.findSent(number, marker, new Date(Date.now() - DAY_MS)),
              )
            : undefined;
        if (earlier) {
          messages.push({ role, sid: earlier.sid, status: earlier.status });
          continue;
        }
        try {
          const sent = await vendorCall(
            'twilio',
            'messages.create',
            () => client.sendSms(number, `${smsText(input.alert)} (${marker})`, callback),
            { audit: role },
          );
          messages.push({ role, sid: sent.sid, status: sent.status });
        } catch (err) {
          // A wrong or unsubscribed number fails that role only; everything else is retried.
          const code = refusedNumberCode(err);
          if (code === undefined) throw err;
          log.warn('SMS refused for a role', { role, code });
          messages.push({ role, status: 'failed', errorCode: code });
        }
      }
      return { status: 'sent', messages, undeliveredAfterMs: waitMs };
    },

    /** Today's SMS count and spend with the configured limits; undefined when Twilio is off. */
    async twilioSpendToday(): Promise<SmsSpendToday | undefined> {
      if (!deps.client) return undefined;
      const today = await usage(deps.client);
      return {
        ...today,
        date: new Date().toISOString().slice(0, 10),
        warnAt: deps.settings?.warnAt,
        cap: deps.settings?.cap,
      };
    },
  };
}
