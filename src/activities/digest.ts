// Daily digest activities: collect the last day's operations through the worker's Temporal client
// (and ServiceNow for change windows), then post it to Slack and to Teams as two activities so a
// failing channel never holds back the other. An unconfigured channel reports `skipped`.
import { Context, log } from '@temporalio/activity';
import type { ChangeWindow, ConnectorDigest, Digest } from '../domain/digest';
import { digestAdaptiveCard, digestSlackBlocks, digestText } from '../domain/digest';
import { glideDateTime } from '../domain/cursor';
import type { ServicenowClient, SnRecord } from '../vendors/servicenow';
import type { SlackClient } from '../vendors/slack';
import type { TeamsClient } from '../vendors/teams';
import type { TwilioClient } from '../vendors/twilio';
import { vendorCall } from './shared/failures';
import type { Delivery } from './notifications';
import {
  breakerActions,
  breakerReadings,
  deadLetterActions,
  deadLetterSummaries,
  renewalEscalations,
  runsInWindow,
} from './shared/opsReadings';

export interface DigestDeps {
  /** The digest's Slack channel (DIGEST_SLACK_CHANNEL), which may differ from the alerts channel. */
  slack?: { client: SlackClient; channel: string };
  teams?: { client: TeamsClient; teamId: string; channelId: string };
  servicenow?: ServicenowClient;
  /** SMS sent, delivered and spent in the window. */
  twilio?: TwilioClient;
}

const CHANGE_FIELDS = ['number', 'short_description', 'start_date', 'end_date', 'approval'];
const CHANGE_LIMIT = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

function changeWindow(r: SnRecord): ChangeWindow {
  const iso = (glide?: string) => (glide ? `${glide.replace(' ', 'T')}Z` : undefined);
  return {
    number: r.number ?? '',
    shortDescription: r.short_description ?? '',
    start: iso(r.start_date),
    end: iso(r.end_date),
    approval: r.approval ?? '',
  };
}

/** Change windows starting in the next 7 days (not closed or cancelled) and changes awaiting CAB. */
async function changes(sn: ServicenowClient, now: Date): Promise<NonNullable<Digest['changes']>> {
  const from = glideDateTime(now.getTime());
  const to = glideDateTime(now.getTime() + 7 * DAY_MS);
  const [upcoming, pending] = await Promise.all([
    vendorCall('servicenow', 'list.change_request', () =>
      sn.list('change_request', {
        query: `start_date>=${from}^start_date<=${to}^stateNOT IN3,4^ORDERBYstart_date`,
        fields: CHANGE_FIELDS,
        limit: CHANGE_LIMIT,
      }),
    ),
    vendorCall('servicenow', 'list.change_request', () =>
      sn.list('change_request', {
        query: `approval=requested^stateNOT IN3,4^ORDERBYstart_date`,
        fields: CHANGE_FIELDS,
        limit: CHANGE_LIMIT,
      }),
    ),
  ]);
  return { upcoming: upcoming.records.map(changeWindow), pendingApproval: pending.records.map(changeWindow) };
}

export function createDigestActivities(deps: DigestDeps) {
  return {
    async collectDigest(input: { since: string; until: string }): Promise<Digest> {
      const { client } = Context.current();
      const since = new Date(input.since);
      const until = new Date(input.until);
      const notes: string[] = [];
      const [runs, dlq, breakers, renewals] = await Promise.all([
        runsInWindow(client, since, until),
        deadLetterSummaries(client),
        breakerReadings(client),
        renewalEscalations(client, since, until),
      ]);
      if (runs.truncated) notes.push('more runs than the digest scans; counts are partial');
      for (const e of [...dlq.errors, ...breakers.errors, ...renewals.errors]) notes.push(`not read: ${e}`);

      const rows = new Map<string, ConnectorDigest>();
      const row = (connector: string) => {
        let r = rows.get(connector);
        if (!r) {
          r = { connector, runs: { succeeded: 0, failed: 0, stopped: 0 }, failedRuns: [], actions: [] };
          rows.set(connector, r);
        }
        return r;
      };
      for (const [connector, t] of runs.tallies) {
        const r = row(connector);
        r.runs = { succeeded: t.succeeded, failed: t.failed, stopped: t.stopped };
        r.failedRuns = t.failedRuns;
      }
      for (const s of dlq.results) {
        const r = row(s.connector);
        r.deadLetters = { count: s.count, oldestFirstFailedAt: s.oldestFirstFailedAt };
        r.actions.push(...deadLetterActions(s, since, until));
      }
      for (const b of breakers.results) {
        const r = row(b.connector);
        r.breaker = b.state;
        r.actions.push(...breakerActions(b, since, until));
      }
      for (const [connector, actions] of renewals.byConnector) row(connector).actions.push(...actions);
      for (const r of rows.values()) r.actions.sort((a, b) => a.at.localeCompare(b.at));

      let changeSummary: Digest['changes'];
      if (!deps.servicenow) notes.push('ServiceNow not configured: no change windows');
      else {
        try {
          changeSummary = await changes(deps.servicenow, until);
        } catch (err) {
          notes.push(`ServiceNow change requests not read: ${(err as Error).message}`);
        }
      }
      let sms: Digest['sms'];
      if (deps.twilio) {
        const twilio = deps.twilio;
        try {
          const t = await vendorCall('twilio', 'messages.list', () => twilio.messagesSince(since));
          sms = { sent: t.sent, delivered: t.delivered, spent: t.spent, currency: t.currency };
        } catch (err) {
          notes.push(`Twilio messages not read: ${(err as Error).message}`);
        }
      }
      const digest: Digest = {
        since: since.toISOString(),
        until: until.toISOString(),
        connectors: [...rows.values()],
        changes: changeSummary,
        notes,
        ...(sms && { sms }),
      };
      log.info('digest collected', { connectors: digest.connectors.length, notes: notes.length });
      return digest;
    },

    async postDigestSlack(digest: Digest): Promise<Delivery> {
      if (!deps.slack) return { channel: 'slack', status: 'skipped' };
      const { client, channel } = deps.slack;
      const posted = await vendorCall('slack', 'chat.postMessage', () =>
        client.postMessage(channel, digestText(digest), digestSlackBlocks(digest)),
      );
      return { channel: 'slack', status: 'sent', messageId: posted.ts };
    },

    async postDigestTeams(digest: Digest): Promise<Delivery> {
      if (!deps.teams) return { channel: 'teams', status: 'skipped' };
      const { client, teamId, channelId } = deps.teams;
      const posted = await vendorCall('teams', 'channelMessage.post', () =>
        client.postCard(teamId, channelId, digestText(digest), digestAdaptiveCard(digest)),
      );
      return { channel: 'teams', status: 'sent', messageId: posted.id };
    },
  };
}
