// dailyDigest: the operations digest for #integration-ops. Collects the window's runs, dead letters,
// remediation and change windows (one activity), posts to Slack and Teams (one activity each, so a
// failing channel never holds back the other) and returns the digest, visible in the Web UI.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
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
  posted: { slack: 'sent' | 'skipped' | 'failed'; teams: 'sent' | 'skipped' | 'failed' };
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

export async function dailyDigest(raw: DailyDigestInput): Promise<DailyDigestResult> {
  const input = beginRun(dailyDigestInput, raw, (i) => ({
    connector: 'platform',
    details: `Operations digest of the last ${i.hours ?? 24} hours to #integration-ops (Slack and Teams).`,
  }));
  dropUnknownSignals();
  const until = new Date();
  const since = new Date(until.getTime() - (input.hours ?? 24) * 60 * 60 * 1000);
  const digest = await collect.collectDigest({ since: since.toISOString(), until: until.toISOString() });
  const [slack, teams] = await Promise.allSettled([
    slackPost.postDigestSlack(digest),
    teamsPost.postDigestTeams(digest),
  ]);
  return {
    digest,
    posted: {
      slack: slack.status === 'fulfilled' ? slack.value.status : 'failed',
      teams: teams.status === 'fulfilled' ? teams.value.status : 'failed',
    },
  };
}
