// dailyDigest: the operations digest for #integration-ops. Collects the window's runs, dead letters,
// remediation and change windows (one activity), posts to Slack, Teams and the e-mail list (one
// activity each, so a failing channel never holds back the others) and returns the digest, visible
// in the Web UI.
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailDelivery } from '../activities/email';
import type { Digest } from '../domain/digest';
import { dailyDigestInput } from '../domain/inputs/dailyDigest';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { vendorActivities } from './shared/vendorActivities';

export interface DailyDigestInput {
  /** Length of the window ending now, in hours. Default 24. */
  hours?: number;
}

export interface DailyDigestResult {
  digest: Digest;
  posted: {
    slack: 'sent' | 'skipped' | 'failed';
    teams: 'sent' | 'skipped' | 'failed';
    /** The digest list (DIGEST_EMAIL_TO); `paused` by the SES reputation guard. */
    email?: {
      status: EmailDelivery['status'] | 'failed';
      sent?: number;
      suppressed?: number;
    };
  };
}

const collect = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

const POST = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
const slackPost = vendorActivities('slack', POST);
const teamsPost = vendorActivities('teams', POST);

// A list send heartbeats its progress so a retry resumes after the last message sent.
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function dailyDigest(raw: DailyDigestInput): Promise<DailyDigestResult> {
  const input = beginRun(dailyDigestInput, raw, (i) => ({
    connector: 'platform',
    details: `Operations digest of the last ${i.hours ?? 24} hours to #integration-ops (Slack and Teams) and the digest e-mail list.`,
  }));
  dropUnknownSignals();
  const until = new Date();
  const since = new Date(until.getTime() - (input.hours ?? 24) * 60 * 60 * 1000);
  const digest = await collect.collectDigest({ since: since.toISOString(), until: until.toISOString() });
  // Runs recorded before the digest was e-mailed replay without the third delivery.
  const withEmail = patched('digest-email');
  const [slack, teams, email] = await Promise.allSettled([
    slackPost.postDigestSlack(digest),
    teamsPost.postDigestTeams(digest),
    ...(withEmail ? [mail.emailDigest(digest)] : []),
  ]);
  return {
    digest,
    posted: {
      slack: slack.status === 'fulfilled' ? slack.value.status : 'failed',
      teams: teams.status === 'fulfilled' ? teams.value.status : 'failed',
      ...(email && {
        email:
          email.status === 'fulfilled'
            ? { status: email.value.status, sent: email.value.sent, suppressed: email.value.suppressed }
            : { status: 'failed' as const },
      }),
    },
  };
}
