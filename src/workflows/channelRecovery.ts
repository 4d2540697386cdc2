// channelRecovery: started when alerts for a chat channel had to go out by email. It collects
// what the channel missed and retries one summary post until the channel takes it, then ends:
// when the channel recovers, exactly one summary of what it missed goes out there.
import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';
import type { Alert } from '../domain/alert';
import { channelRecoveryInput, missedAlertArgs } from '../domain/inputs/platform';
import { signalArg } from './shared/messageArgs';
import { vendorActivities } from './shared/vendorActivities';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export type Channel = 'slack' | 'teams';

export interface MissedAlert {
  title: string;
  severity: Alert['severity'];
  at: string;
}

export const missedAlert = defineSignal<[MissedAlert]>('missed');

export function channelRecoveryWorkflowId(channel: Channel): string {
  return `channel-recovery-${channel}`;
}

const ONCE = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } } as const;
const slackOnce = vendorActivities('slack', ONCE);
const teamsOnce = vendorActivities('teams', ONCE);

export async function channelRecovery(raw: {
  channel: Channel;
}): Promise<{ delivered: number; attempts: number }> {
  const input = beginRun(channelRecoveryInput, raw, (i) => ({
    connector: i.channel,
    details: `${i.channel} could not take alerts; they went out by email. One summary goes to ${i.channel} once it works again.`,
  }));
  const missed: MissedAlert[] = [];
  setHandler(missedAlert, (rawAlert) => {
    const alert = signalArg(missedAlertArgs, rawAlert, 'missed');
    if (alert) missed.push(alert);
  });
  dropUnknownSignals();
  await condition(() => missed.length > 0);
  let attempts = 0;
  let wait = 60_000;
  for (;;) {
    await sleep(wait);
    attempts++;
    const summary: Alert = {
      title: `${input.channel === 'slack' ? 'Slack' : 'Teams'} is back: ${missed.length} alerts went out by email meanwhile`,
      severity: 'info',
      summary: `These alerts could not be delivered here and were sent by email instead.`,
      facts: missed.slice(0, 20).map((m) => ({ name: m.at, value: `${m.severity}: ${m.title}` })),
    };
    try {
      await (input.channel === 'slack' ? slackOnce.notifySlack(summary) : teamsOnce.notifyTeams(summary));
      return { delivered: missed.length, attempts };
    } catch {
      wait = Math.min(wait * 2, 10 * 60_000);
    }
  }
}
