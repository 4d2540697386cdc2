// smsPage: one alert paged by SMS to the on-call roles, started by `announce` for critical (and,
// if configured, warning) alerts. It records Twilio's delivery callbacks (signalled by the ingress)
// and, when a role's SMS is not delivered within the window (TWILIO_UNDELIVERED_AFTER), sends the
// alert by email once, as the chat channels fall over. It never fails: a page is best effort.
// The run is the record of the SMS: its current details (the Web UI) and its result show each
// role's last status (delivered / undelivered / failed, Twilio's error code); the alert's chat and
// email forms name this run (`SMS page`).
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Alert } from '../domain/alert';
import { smsPageInput, smsStatusArgs } from '../domain/inputs/twilio';
import {
  applyStatus,
  isFinal,
  reachedPhone,
  smsPageDetails,
  type PagedMessage,
  type SmsStatusUpdate,
} from '../domain/sms';
import { signalArg } from './shared/messageArgs';
import { beginRun, dropUnknownSignals } from './shared/runStart';

export const smsStatus = defineSignal<[SmsStatusUpdate]>('smsStatus');

export type SmsPageOutcome =
  'sending' | 'waiting' | 'delivered' | 'emailed' | 'not-delivered' | 'skipped' | 'held' | 'send-failed';

export interface SmsPageReport {
  outcome: SmsPageOutcome;
  reason?: string;
  /** Per role: the message sid, its last status and Twilio's error code. */
  messages: PagedMessage[];
  /** Status callbacks that changed something (repeats change nothing). */
  callbacks: number;
}

export const smsPageStatus = defineQuery<SmsPageReport>('smsPageStatus');

const send = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // A page that cannot leave within minutes is replaced by the email below.
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const email = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export async function smsPage(raw: { alert: Alert }): Promise<SmsPageReport> {
  const { alert } = beginRun(smsPageInput, raw, (i) => ({
    connector: 'twilio',
    details: `SMS page to the on-call roles: ${i.alert.title}. Email if it is not delivered in time.`,
  }));
  const report: SmsPageReport = { outcome: 'sending', messages: [], callbacks: 0 };
  // Details are not commands: showing them changes nothing for replay.
  const show = () =>
    setCurrentDetails(
      smsPageDetails(alert.title, report.outcome, report.messages, {
        reason: report.reason,
        alertRun: alert.run?.workflowId,
      }),
    );
  // Callbacks may overtake the send's result: kept until their message is known.
  let early: SmsStatusUpdate[] = [];
  setHandler(smsStatus, (rawUpdate) => {
    const update = signalArg(smsStatusArgs, rawUpdate, 'smsStatus');
    if (!update) return;
    if (report.messages.some((m) => m.sid === update.sid)) {
      if (applyStatus(report.messages, update)) {
        report.callbacks++;
        show();
      }
    } else if (report.outcome === 'sending' && early.length < 100) early.push(update);
  });
  setHandler(smsPageStatus, () => report);
  dropUnknownSignals();

  const sent = await send.sendSmsPage({ alert, pageId: workflowInfo().workflowId }).catch((err: unknown) => {
    report.reason = (err as Error).message.slice(0, 500);
    return undefined;
  });
  if (!sent) {
    report.outcome = 'send-failed';
    show();
    return emailInstead(alert, report, show);
  }
  report.messages = sent.messages;
  if (sent.status !== 'sent') {
    report.outcome = sent.status;
    report.reason = sent.reason;
    show();
    return report;
  }
  for (const update of early) if (applyStatus(report.messages, update)) report.callbacks++;
  early = [];
  report.outcome = 'waiting';
  show();
  await condition(() => report.messages.every((m) => isFinal(m.status)), sent.undeliveredAfterMs);
  if (report.messages.every(reachedPhone)) {
    report.outcome = 'delivered';
    show();
    return report;
  }
  return emailInstead(alert, report, show);
}

/** The alert by email, naming the roles the SMS did not reach. */
async function emailInstead(alert: Alert, report: SmsPageReport, show: () => void): Promise<SmsPageReport> {
  const missed = report.messages.filter((m) => !reachedPhone(m)).map((m) => `${m.role} (${m.status})`);
  const { namespace, workflowId, runId } = workflowInfo();
  try {
    const emailed = await email.emailAlert({ ...alert, smsPage: { namespace, workflowId, runId } }, [
      missed.length ? `SMS to ${missed.join(', ')}` : 'SMS',
    ]);
    report.outcome = emailed.status === 'sent' ? 'emailed' : 'not-delivered';
  } catch {
    report.outcome = 'not-delivered';
  }
  show();
  return report;
}
