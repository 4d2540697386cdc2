// certificateRenewal: one per endpoint (id from the host name). Opens the renewal, climbs the
// escalation ladder on durable timers relative to the expiry date, takes people's actions by
// signal or update, and verifies the new certificate with real TLS handshakes until it is served.
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Alert } from '../domain/alert';
import { cabActions, renewalReminderActions } from '../domain/alertActions';
import {
  DEFAULT_LADDER,
  probeInterval,
  reminderInterval,
  renewalVerdict,
  type LadderStep,
} from '../domain/escalation';
import type { IncidentEvent } from '../domain/servicenow';
import { announce } from './announce';
import { auditEvent } from './audit';
import { openConnectorBreaker } from './breakerControl';
import { normalizeActionArgs, RenewalState, type RenewalStage } from './certificateRenewalState';
import { renewalActions, renewalStatus, type RenewalActionName } from './certificateRenewalSignals';

export interface CertificateRenewalInput {
  host: string;
  port?: number;
  /** The connector this endpoint serves; its breaker opens at expiry. Default `erpnext`. */
  connector?: string;
  /** Expiry of the certificate being replaced (ISO). */
  expiresAt: string;
  /** The vendor's escalation reference. Default `ERP-3421`. */
  vendorReference?: string;
  /** ServiceNow group the vendor ticket is assigned to. Default `ERP Vendor Operations`. */
  vendorGroup?: string;
  ladder?: LadderStep[];
}

export interface CertificateRenewalReport {
  host: string;
  outcome: Extract<RenewalStage, 'renewed' | 'cancelled'>;
  levelReached: number;
  escalations: { level: number; name: string; at: string }[];
  reminders: number;
  newExpiresAt?: string;
  cab: 'pending' | 'approved' | 'rejected';
  actions: number;
  /** ServiceNow records, when ServiceNow is configured. */
  vendorTicket?: string;
  changeRequest?: string;
  p1Incident?: string;
}

const tls = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '30 seconds', maximumInterval: '10 minutes', maximumAttempts: 5 },
});

// Records in ServiceNow and email are best effort: their failure is logged in the action log
// and never stops the escalation ladder, which is what keeps the certificate from expiring.
const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 6 },
});

export async function certificateRenewal(input: CertificateRenewalInput): Promise<CertificateRenewalReport> {
  const port = input.port ?? 443;
  const connector = input.connector ?? 'erpnext';
  const reference = input.vendorReference ?? 'ERP-3421';
  const state = new RenewalState(input.host, Date.parse(input.expiresAt), input.ladder ?? DEFAULT_LADDER);
  const escalations: CertificateRenewalReport['escalations'] = [];
  let reminders = 0;
  let lastReminderAt = 0;
  let nextProbeAt = Date.now();
  let newExpiresAt: string | undefined;
  let nextWake: { what: string; at: number } | undefined;

  for (const name of Object.keys(renewalActions) as RenewalActionName[]) {
    const { signal, update } = renewalActions[name];
    setHandler(signal, (raw: unknown) => {
      const args = normalizeActionArgs(name, raw);
      try {
        state.apply(name, args, state.validate(name, args));
      } catch (err) {
        state.record(
          String((args as { who?: unknown })?.who ?? 'unknown'),
          `${name} rejected`,
          (err as Error).message,
        );
      }
    });
    setHandler(
      update,
      (raw: unknown) => {
        const args = normalizeActionArgs(name, raw);
        const detail = state.validate(name, args);
        state.apply(name, args, detail);
        return { accepted: true as const, detail };
      },
      { validator: (raw: unknown) => void state.validate(name, normalizeActionArgs(name, raw)) },
    );
  }
  setHandler(renewalStatus, () => state.status(nextWake));

  const tell = (alert: Omit<Alert, 'connector'>) => announce({ ...alert, connector });
  await tell({
    title: `Certificate renewal opened: ${input.host}`,
    severity: 'warning',
    summary: `The TLS certificate of ${input.host} expires ${input.expiresAt}. Renewal opened with the vendor (${reference}); the change awaits CAB approval.`,
    facts: [
      { name: 'Vendor reference', value: reference },
      { name: 'Signals', value: 'acknowledge, escalateNow, snooze, renewed, cabDecision, cancel' },
    ],
    actions: cabActions(workflowInfo().workflowId),
  });
  state.record(
    'workflow',
    'opened',
    `renewal opened with the vendor (${reference}); change request awaits CAB`,
  );

  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      state.record('workflow', `${what} failed`, (err as Error).message);
      return undefined;
    }
  };
  const ticketEvent = (status: IncidentEvent['status']): IncidentEvent => ({
    sourceSystem: 'certificate-renewal',
    sourceId: input.host,
    title: `Renew the TLS certificate of ${input.host} (${reference})`,
    description: `The certificate expires ${input.expiresAt}. Please renew it; our workflow verifies the new one by TLS handshake.`,
    severity: 'moderate',
    assignmentGroup: input.vendorGroup ?? 'ERP Vendor Operations',
    status,
  });
  const ticket = await attempt('vendor ticket', () => records.servicenowUpsertIncident(ticketEvent('open')));
  const change = await attempt('change request', () =>
    records.servicenowUpsertChangeRequest({
      waiterWorkflowId: workflowInfo().workflowId,
      title: `Renew the TLS certificate of ${input.host}`,
      description: `High-risk change: certificate renewal by the vendor (${reference}). Expires ${input.expiresAt}.`,
    }),
  );
  const mailed = await attempt('vendor email', () =>
    records.emailRole({
      role: 'vendor-contact',
      subject: `Certificate renewal needed: ${input.host} (${reference})`,
      text: `The TLS certificate of ${input.host} expires ${input.expiresAt}.\nVendor ticket: ${ticket?.number ?? 'n/a'}. Change request: ${change?.number ?? 'n/a'} (awaiting CAB).`,
    }),
  );
  state.record(
    'workflow',
    'records opened',
    `vendor ticket ${ticket?.number ?? 'none'}, change request ${change?.number ?? 'none'}, vendor email ${mailed?.status ?? 'failed'}`,
  );
  let p1: { number: string } | undefined;

  while (!state.done) {
    const now = Date.now();
    if (state.cancelRequested) {
      state.stage = 'cancelled';
      await tell({
        title: `Certificate renewal cancelled: ${input.host}`,
        severity: 'info',
        summary: state.cancelRequested.reason,
      });
      break;
    }
    if (state.cabChanged) {
      state.cabChanged = false;
      await tell({
        title: `CAB ${state.cab} the certificate renewal of ${input.host}`,
        severity: state.cab === 'approved' ? 'info' : 'warning',
        summary:
          state.cab === 'approved'
            ? `The vendor may renew now (${reference}).`
            : 'The renewal is held and escalated.',
      });
    }
    if (state.verifyRequested || now >= nextProbeAt) {
      state.verifyRequested = false;
      const probe = await tls.probeCertificate({ host: input.host, port });
      const verdict = renewalVerdict(probe, state.expiresAt);
      nextProbeAt = now + probeInterval(now, state.expiresAt);
      if (verdict.accepted) {
        state.stage = 'renewed';
        newExpiresAt = probe.validTo;
        state.record('workflow', 'verified', `new certificate served, valid until ${probe.validTo}`);
        await tell({
          title: `Certificate renewed: ${input.host}`,
          severity: 'info',
          summary: `The new certificate is trusted and valid until ${probe.validTo}. Renewal closed.`,
        });
        break;
      }
      state.record('workflow', 'probed', verdict.reason);
    }
    for (
      let step = state.nextStep();
      step && (step.at <= now || state.escalateRequested);
      step = state.nextStep()
    ) {
      const trigger = step.at <= now ? 'schedule' : (state.escalateRequested?.who ?? 'schedule');
      state.escalateRequested = undefined;
      state.level = step.step.level;
      state.acknowledged = false;
      state.snoozedUntil = undefined;
      lastReminderAt = now;
      escalations.push({ level: step.step.level, name: step.step.name, at: new Date(now).toISOString() });
      state.record(trigger, 'escalated', `level ${step.step.level}: ${step.step.audience}`);
      auditEvent({
        actor: trigger === 'schedule' ? undefined : trigger,
        connector,
        action: 'escalate',
        target: input.host,
        outcome: 'escalated',
        detail: { level: step.step.level, step: step.step.name },
      });
      await escalate(step.step, input, connector, reference);
      if (step.step.action === 'p1-incident') {
        const daysBefore = step.step.daysBefore;
        p1 = await attempt('P1 incident', () =>
          records.servicenowUpsertIncident({
            sourceSystem: 'certificate-renewal',
            sourceId: `${input.host}/expiry`,
            title: `P1: the TLS certificate of ${input.host} expires in ${daysBefore} days`,
            description: `Renewal not verified yet (vendor reference ${reference}).`,
            severity: 'critical',
          }),
        );
      }
    }
    const remindAt =
      state.level > 0 && !state.acknowledged
        ? Math.max(lastReminderAt + reminderInterval(now, state.expiresAt), state.snoozedUntil ?? 0)
        : Infinity;
    if (now >= remindAt) {
      reminders++;
      lastReminderAt = now;
      state.record('workflow', 'reminded', `level ${state.level} reminder ${reminders}`);
      await tell({
        title: `Reminder: certificate of ${input.host} expires in ${Math.max(0, Math.ceil((state.expiresAt - now) / 86_400_000))} days`,
        severity: state.level >= 3 ? 'critical' : 'warning',
        summary: `Escalation level ${state.level} is not acknowledged yet. Acknowledge with the \`acknowledge\` signal.`,
        actions: renewalReminderActions(workflowInfo().workflowId),
      });
      continue;
    }
    const candidates = [
      { what: 'verify certificate', at: nextProbeAt },
      ...(state.nextStep()
        ? [{ what: `escalate to ${state.nextStep()!.step.name}`, at: state.nextStep()!.at }]
        : []),
      ...(remindAt < Infinity ? [{ what: `reminder for level ${state.level}`, at: remindAt }] : []),
    ];
    nextWake = candidates.reduce((a, b) => (b.at < a.at ? b : a));
    await condition(() => state.pendingWork, Math.max(1, nextWake.at - Date.now()));
  }

  // Close what was opened: the vendor ticket and any P1 resolve, the change request closes.
  const outcome = state.stage === 'renewed' ? 'successful' : 'cancelled';
  if (ticket)
    await attempt('close vendor ticket', () => records.servicenowUpsertIncident(ticketEvent('resolved')));
  if (p1) {
    await attempt('resolve P1', () =>
      records.servicenowUpsertIncident({
        sourceSystem: 'certificate-renewal',
        sourceId: `${input.host}/expiry`,
        title: `P1: the TLS certificate of ${input.host} expiry`,
        severity: 'critical',
        status: 'resolved',
      }),
    );
  }
  if (change)
    await attempt('close change request', () =>
      records.servicenowCloseChangeRequest({ sysId: change.sysId, outcome }),
    );

  return {
    host: input.host,
    vendorTicket: ticket?.number,
    changeRequest: change?.number,
    p1Incident: p1?.number,
    outcome: state.stage === 'renewed' ? 'renewed' : 'cancelled',
    levelReached: state.level,
    escalations,
    reminders,
    newExpiresAt,
    cab: state.cab,
    actions: state.actions.length,
  };
}

async function escalate(
  step: LadderStep,
  input: CertificateRenewalInput,
  connector: string,
  reference: string,
): Promise<void> {
  const alert: Alert = {
    title: `Escalation ${step.level} (${step.name}): certificate of ${input.host}`,
    severity: step.level >= 3 ? 'critical' : 'warning',
    summary: `Certificate expires ${input.expiresAt}; escalated to ${step.audience} (vendor reference ${reference}).`,
    connector,
    actions: renewalReminderActions(workflowInfo().workflowId),
  };
  if (step.action === 'outage') {
    alert.title = `OUTAGE: certificate of ${input.host} expired`;
    alert.summary = `The certificate expired at ${input.expiresAt}. The ${connector} circuit breaker is open: syncs wait instead of failing.`;
    await openConnectorBreaker(connector, 'certificateRenewal', `certificate of ${input.host} expired`);
  }
  await announce(alert);
}
