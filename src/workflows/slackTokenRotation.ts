// slackTokenRotation: the one refresher of Slack's rotating bot token (workflow id
// `slack-token-rotation`, so workers never race for the one-time refresh token). It refreshes
// `refreshBefore` (default 2 hours) ahead of the 12-hour expiry on a durable timer. A failed refresh
// is announced while the current token still works, and retried every `retryEvery`. The token
// itself stays in the token store: this history holds only times.
import { ActivityFailure, continueAsNew, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import { durationMs } from '../domain/duration';
import { slackTokenRotationInput } from '../domain/inputs/slack';
import { announce } from './shared/announce';
import { BesideTheLadder, failureMessage } from './shared/besideTheLadder';
import { beginRun } from './shared/runStart';

export const SLACK_TOKEN_ROTATION_ID = 'slack-token-rotation';

export interface SlackTokenRotationInput {
  refreshBefore?: Duration;
  retryEvery?: Duration;
}

const slack = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 4 },
});

const ROUNDS_PER_RUN = 100;

export async function slackTokenRotation(raw: SlackTokenRotationInput): Promise<void> {
  const input = beginRun(slackTokenRotationInput, raw, () => ({
    connector: 'slack',
    details: 'Refreshes the rotating Slack bot token before it expires; the token stays in the token store.',
  }));
  // The schema admits only positive durations.
  const refreshBeforeMs = durationMs(input.refreshBefore ?? '2 hours');
  const retryEveryMs = durationMs(input.retryEvery ?? '10 minutes');
  const known = await slack.slackTokenTimes();
  // Planned on the workflow's own clock: expiry = when the answer came + the life it reported.
  let expiresAt = known ? Date.now() + known.expiresInMs : undefined;
  let failed = false;
  // The alert goes out beside the refresh clock: a chat outage's failover never delays a retry.
  const alerts = new BesideTheLadder(true, (what, err) =>
    log.warn(`${what} failed`, { error: failureMessage(err) }),
  );
  let alerted = false;
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    // After a failure the next try is due at once (the retry wait already passed).
    const dueAt = expiresAt !== undefined && !failed ? expiresAt - refreshBeforeMs : Date.now();
    if (dueAt > Date.now()) await sleep(dueAt - Date.now());
    failed = false;
    try {
      const refreshed = await slack.slackRefreshToken();
      expiresAt = Date.now() + refreshed.expiresInMs;
      alerted = false;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const reason = err.cause?.message ?? err.message;
      // One alert per run of failures, not one per retry.
      if (!alerted)
        void alerts.run('token refresh alert', () =>
          announce({
            title: 'Slack token refresh failed',
            severity: 'warning',
            summary:
              expiresAt !== undefined
                ? `The bot token could not be refreshed (${reason}). The current token works until ${new Date(expiresAt).toISOString()}; retrying every ${Math.round(retryEveryMs / 60_000)} minutes.`
                : `No Slack bot token yet: the first refresh failed (${reason}).`,
            connector: 'slack',
          }),
        );
      alerted = true;
      failed = true;
      await sleep(retryEveryMs);
    }
  }
  await alerts.drain();
  await continueAsNew<typeof slackTokenRotation>(input);
}
