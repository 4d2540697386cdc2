// Starts the SMS page of an alert: an abandoned smsPage child, so the announcing workflow never
// waits for a phone. Whether it goes out (configured, severity, the daily cap) is the worker's call.
// The page's run is the record of the SMS (each role's final status); the alert names it.
import { log, ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Alert, RunRef } from '../../domain/alert';
import { SMS_PAGE_PREFIX } from '../../domain/sms';
import { smsPage } from '../smsPage';
import { connectorAttributes } from './childAttributes';

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The alert as the page's input takes it: no buttons, bounded text. */
function pageAlert(alert: Alert): Alert {
  const facts = alert.facts
    ?.filter((f) => f.name.trim())
    .slice(0, 30)
    .map((f) => ({ name: clip(f.name.trim(), 200), value: clip(f.value, 2_000) }));
  return {
    title: clip(alert.title, 1_000),
    severity: alert.severity,
    summary: clip(alert.summary, 4_000),
    ...(facts?.length && { facts }),
    ...(alert.connector?.trim() && { connector: clip(alert.connector.trim(), 100) }),
    ...(alert.run && { run: alert.run }),
  };
}

/** Starts the page; its run (which records each role's delivery) or undefined if it did not start. */
export async function pageBySms(alert: Alert): Promise<RunRef | undefined> {
  try {
    const page = await startChild(smsPage, {
      workflowId: `${SMS_PAGE_PREFIX}${uuid4()}`,
      args: [{ alert: pageAlert(alert) }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `SMS page: ${clip(alert.title, 200)}`,
      typedSearchAttributes: connectorAttributes('twilio'),
    });
    return {
      namespace: workflowInfo().namespace,
      workflowId: page.workflowId,
      runId: page.firstExecutionRunId,
    };
  } catch (err) {
    // The chat channels and email still carry the alert.
    log.warn('SMS page not started', { error: String(err) });
    return undefined;
  }
}
