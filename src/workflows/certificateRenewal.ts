// certificateRenewal: one per endpoint (id from the host name). Opens the renewal, climbs the
// escalation ladder on durable timers relative to the expiry date, takes people's actions by
// signal or update, and verifies the new certificate with real TLS handshakes until it is served.
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
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
import { announce } from './shared/announce';
import { auditEvent } from './shared/audit';
import { BesideTheLadder, failureMessage, failureType } from './shared/besideTheLadder';
import { closeConnectorBreaker, openConnectorBreaker } from './shared/breakerControl';
import { askBreaker, reportOutcome } from './shared/breakerGate';
import type { Permit } from '../domain/breaker';
import { CabGate } from './shared/cabGate';
import type { Duration } from '@temporalio/common';
import { durationMs } from '../domain/duration';
import { certificateRenewalInput } from '../domain/inputs/certificateRenewal';
import { actorOf, parseAction, renewalDetails, unlessRefused } from './certificateRenewal/guard';
import { RenewalState, type RenewalStage } from './certificateRenewal/state';
import { ACT_WITH, escalationAlert } from './certificateRenewal/alerts';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { renewalActions, renewalStatus, type RenewalActionName } from './certificateRenewal/messages';

export interface CertificateRenewalInput {
  host: string;
  /** TLS port of the endpoint. Default 443. */
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
  /** How often a pending CAB decision is reminded. Default 1 day. */
  cabRemindEvery?: Duration;
  /** After opening, when a still-pending CAB decision is escalated (never after expiry). Default 3 days. */
  cabDeadline?: Duration;
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
  /** Who cancelled the renewal and why. */
  cancelled?: { who: string; reason: string };
  /** Set while the endpoint could not be probed when the run ended. */
  unreachable?: { since: string; error: string };
  /** CAB reminders sent while the decision was pending, and whether its deadline escalated. */
  cabReminders?: number;
  cabEscalated?: boolean;
  /** The vendor swapped the certificate without an approved CAB decision (verified, reported). */
  unapprovedChange?: boolean;
}

// Every call runs beside the ladder (see shared/besideTheLadder.ts) and is bounded, so a vendor that
// keeps failing costs a log line and an alert, never a missed step. Failed calls are tried again
// on the ladder's own clock (the next probe time).
const tls = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '30 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
});

const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '20 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 6 },
});

export async function certificateRenewal(raw: CertificateRenewalInput): Promise<CertificateRenewalReport> {
  const input = beginRun(certificateRenewalInput, raw, (i) => ({
    connector: i.connector ?? 'erpnext',
    details: `Renewal of the TLS certificate of ${i.host} (expires ${i.expiresAt}): vendor ticket, CAB, escalation ladder, verification by TLS handshake.`,
  }));
  const port = input.port ?? 443;
  const connector = input.connector ?? 'erpnext';
  const reference = input.vendorReference ?? 'ERP-3421';
  const endpoint = `${input.host}:${port}`;
  refusePastExpiry(input.expiresAt);
  const state = new RenewalState(input.host, Date.parse(input.expiresAt), input.ladder ?? DEFAULT_LADDER);
  const concurrent = patched('renewal-calls-beside-the-ladder');
  const calls = new BesideTheLadder(concurrent, (what, err) =>
    state.record('workflow', `${what} failed`, failureMessage(err)),
  );
  // The swap (the vendor's go-ahead) waits for an approved CAB decision, reminded and escalated on
  // the way; the renewal's probe asks the connector's breaker and its verification closes the
  // breaker its expiry opened. Runs from before these gates keep their old course.
  const cabGated = patched('cab-gates-the-swap');
  const breakerGated = patched('renewal-asks-breaker');
  const cabGate = new CabGate(
    {
      requestedAt: Date.now(),
      remindEveryMs: durationMs(input.cabRemindEvery ?? '1 day'),
      deadlineAt: Math.min(
        Date.now() + durationMs(input.cabDeadline ?? '3 days'),
        Date.parse(input.expiresAt),
      ),
    },
    () => state.cab,
  );
  let breakerOpened = false;
  let unapprovedChange = false;
  const escalations: CertificateRenewalReport['escalations'] = [];
  let reminders = 0;
  let lastReminderAt = 0;
  let nextProbeAt = Date.now();
  let probing = false;
  // Set by a call whose outcome changes what the loop does next (renewed, a retry rescheduled).
  // Only these wake the loop: every wake cancels its timer, so alerts finishing do not.
  let wake = false;
  let newExpiresAt: string | undefined;
  let nextWake: { what: string; at: number } | undefined;

  for (const name of Object.keys(renewalActions) as RenewalActionName[]) {
    const { signal, update } = renewalActions[name];
    setHandler(signal, (raw: unknown) => {
      try {
        const action = parseAction(name, raw);
        state.apply(action, state.validate(action));
      } catch (err) {
        state.record(actorOf(raw), `${name} rejected`, (err as Error).message);
      }
    });
    setHandler(
      update,
      (raw: unknown) => {
        const action = parseAction(name, raw);
        const detail = unlessRefused(() => state.validate(action));
        state.apply(action, detail);
        return { accepted: true as const, detail };
      },
      { validator: (raw: unknown) => void unlessRefused(() => state.validate(parseAction(name, raw))) },
    );
  }
  setHandler(renewalStatus, () => state.status(nextWake));
  dropUnknownSignals();

  /** Posts an alert beside the ladder; a chat outage is the announcer's problem, not the ladder's. */
  const tell = (alert: Omit<Alert, 'connector'>) =>
    calls.runInOrder(
      'alert',
      async () => {
        const sent = await announce({ ...alert, connector });
        if (sent.slack === 'failed' && sent.teams === 'failed')
          state.record('workflow', 'alert not delivered', `${alert.title}: chat and email failed`);
      },
      '1 minute',
    );
  // What the people on the ladder need to know about the endpoint besides the dates.
  const reachability = (): Alert['facts'] =>
    state.unreachable
      ? [
          {
            name: 'Reachability',
            value: `cannot reach ${endpoint} since ${state.unreachable.since} (${state.unreachable.error})`,
          },
        ]
      : [];
  await tell({
    title: `Certificate renewal opened: ${input.host}`,
    severity: 'warning',
    summary: `The TLS certificate of ${endpoint} expires ${input.expiresAt}. Renewal opened with the vendor (${reference}); the change awaits CAB approval.`,
    facts: [
      { name: 'Vendor reference', value: reference },
      { name: 'Act with', value: ACT_WITH },
    ],
    actions: cabActions(workflowInfo().workflowId),
  });
  state.record(
    'workflow',
    'opened',
    `renewal opened with the vendor (${reference}); change request awaits CAB`,
  );

  // A record the worker has no vendor for is not tried again; every other failure is.
  const notConfigured = new Set<string>();
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      state.record('workflow', `${what} failed`, failureMessage(err));
      if (failureType(err) === 'NotConfigured') notConfigured.add(what);
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
  let ticket: { number: string; sysId: string } | undefined;
  let change: { number: string; sysId: string } | undefined;
  let mailed: { status: string } | undefined;
  let p1: { number: string } | undefined;
  /** The P1 incident to raise, once its ladder step fired. */
  let p1Event: IncidentEvent | undefined;
  let recordsDueAt = Infinity;
  let recordsRunning = false;
  let recordsFailing = false;
  // Opens what is still missing (all of it the first time, the P1 once due); what fails is tried
  // again at the next check, and alerted when it starts failing.
  const openRecords = async () => {
    recordsRunning = true;
    recordsDueAt = Infinity;
    ticket ??= await attempt('vendor ticket', () => records.servicenowUpsertIncident(ticketEvent('open')));
    change ??= await attempt('change request', () =>
      records.servicenowUpsertChangeRequest({
        waiterWorkflowId: workflowInfo().workflowId,
        title: `Renew the TLS certificate of ${input.host}`,
        description: `High-risk change: certificate renewal by the vendor (${reference}). Expires ${input.expiresAt}.`,
      }),
    );
    // Gated: the vendor's go-ahead to swap the certificate goes out only once CAB approved.
    const mayMail = !cabGated || cabGate.approved;
    if (mayMail)
      mailed ??= await attempt('vendor email', () =>
        records.emailRole({
          role: 'vendor-contact',
          subject: cabGated
            ? `CAB approved: renew the certificate of ${input.host} (${reference})`
            : `Certificate renewal needed: ${input.host} (${reference})`,
          text: cabGated
            ? `The TLS certificate of ${endpoint} expires ${input.expiresAt}. CAB approved change request ${change?.number ?? 'n/a'}: please install the renewed certificate now.\nVendor ticket: ${ticket?.number ?? 'n/a'}.`
            : `The TLS certificate of ${endpoint} expires ${input.expiresAt}.\nVendor ticket: ${ticket?.number ?? 'n/a'}. Change request: ${change?.number ?? 'n/a'} (awaiting CAB).`,
        }),
      );
    const raising = p1Event;
    if (raising) p1 ??= await attempt('P1 incident', () => records.servicenowUpsertIncident(raising));
    state.record(
      'workflow',
      'records opened',
      `vendor ticket ${ticket?.number ?? 'none'}, change request ${change?.number ?? 'none'}, vendor email ${mailed?.status ?? (mayMail ? 'failed' : 'after CAB approval')}${raising ? `, P1 incident ${p1?.number ?? 'none'}` : ''}`,
    );
    recordsRunning = false;
    const missing = [
      !ticket && 'vendor ticket',
      !change && 'change request',
      !mailed && mayMail && 'vendor email',
      raising && !p1 && 'P1 incident',
    ].filter((what): what is string => !!what && !notConfigured.has(what));
    if (!concurrent) return;
    if (missing.length > 0) {
      // A P1 that became due while this ran (recordsDueAt is its time) is not pushed back.
      recordsDueAt = Math.min(recordsDueAt, Date.now() + probeInterval(Date.now(), state.expiresAt));
      if (!recordsFailing)
        await tell({
          title: `ServiceNow records of the certificate renewal of ${input.host} not opened yet`,
          severity: 'warning',
          summary: `Not opened: ${missing.join(', ')} (see the run's status for the reasons). Tried again at the next check; the escalation ladder goes on.`,
        });
    }
    recordsFailing = missing.length > 0;
    if (recordsDueAt < Infinity) wake = true;
  };
  await calls.run('records', openRecords);

  /** A certificate the vendor swapped without an approved CAB decision: verified, but reported. */
  const reportUnapprovedSwap = async (validTo: string): Promise<void> => {
    unapprovedChange = true;
    state.record('workflow', 'unapproved change', `certificate swapped while CAB was ${state.cab}`);
    auditEvent({
      connector,
      action: 'certificate-swap',
      target: input.host,
      outcome: 'unapproved',
      detail: { cab: state.cab, changeRequest: change?.number ?? 'none', validTo },
    });
    await tell({
      title: `Unapproved change: certificate of ${input.host} swapped without CAB approval`,
      severity: 'critical',
      summary: `The vendor installed a new certificate (valid until ${validTo}) while change request ${change?.number ?? 'n/a'} was ${state.cab}. It is verified and kept; review the change with CAB.`,
      facts: [{ name: 'Vendor reference', value: reference }],
    });
  };

  const probe = async () => {
    probing = true;
    let permit: Permit | undefined;
    try {
      permit = breakerGated ? await askBreaker(connector, 'certificateRenewal') : undefined;
      if (permit && !permit.granted)
        return state.record('workflow', 'probe deferred', `${connector}: ${permit.reason}`);
      const served = await tls.probeCertificate({ host: input.host, port });
      const verdict = renewalVerdict(served, state.expiresAt);
      if (state.unreachable) {
        state.record('workflow', 'reachable again', `${endpoint} answers again`);
        state.unreachable = undefined;
      }
      if (!verdict.accepted) return state.record('workflow', 'probed', verdict.reason);
      state.stage = 'renewed';
      wake = true;
      newExpiresAt = served.validTo;
      state.record('workflow', 'verified', `new certificate served, valid until ${served.validTo}`);
      if (cabGated && state.cab !== 'approved') await reportUnapprovedSwap(served.validTo);
      if (breakerGated && breakerOpened)
        await closeConnectorBreaker(connector, 'certificateRenewal', `certificate of ${input.host} renewed`);
      else if (permit?.granted && permit.probe) await reportOutcome(connector, 'certificateRenewal', true);
      await tell({
        title: `Certificate renewed: ${input.host}`,
        severity: 'info',
        summary: `The new certificate is trusted and valid until ${served.validTo}. Renewal closed.`,
      });
    } catch (err) {
      // An endpoint nobody can reach is itself an escalation fact: alerted once, then carried by
      // every escalation and reminder until a probe gets through.
      const error = failureMessage(err);
      if (permit?.granted && permit.probe) await reportOutcome(connector, 'certificateRenewal', false, error);
      const first = !state.unreachable;
      state.unreachable ??= { since: new Date().toISOString(), error };
      state.record('workflow', 'unreachable', `cannot reach ${endpoint}: ${error}`);
      if (first)
        await tell({
          title: `Cannot reach ${endpoint} to verify its certificate`,
          severity: 'warning',
          summary: `The TLS probe of ${endpoint} failed (${error}). The escalation ladder goes on; the probe is tried again at the next check.`,
          facts: [{ name: 'Check', value: 'host name and port in the renewal input; firewall; DNS' }],
        });
    } finally {
      probing = false;
      if (state.verifyRequested) wake = true;
    }
  };

  /** A cancel ends the run: announced, then the records close. True when it was requested. */
  const cancelIfRequested = async (): Promise<boolean> => {
    if (!state.cancelRequested) return false;
    state.stage = 'cancelled';
    const { who, reason } = state.cancelRequested;
    await tell({
      title: `Certificate renewal cancelled: ${input.host}`,
      severity: 'info',
      summary: `Cancelled by ${who}: ${reason}`,
    });
    return true;
  };

  /** Announces a CAB decision once it arrived (from ServiceNow or a person). */
  const announceCabDecision = async (): Promise<void> => {
    if (!state.cabChanged) return;
    state.cabChanged = false;
    // Approved: the vendor's go-ahead (the gated email) goes out with the records.
    if (cabGated && state.cab === 'approved') recordsDueAt = Math.min(recordsDueAt, Date.now());
    await tell({
      title: `CAB ${state.cab} the certificate renewal of ${input.host}`,
      severity: state.cab === 'approved' ? 'info' : 'warning',
      summary:
        state.cab === 'approved'
          ? `The vendor may renew now (${reference}).`
          : 'The renewal is held and escalated.',
    });
  };

  /** Probes the certificate when due or asked to (`renewed`); never two probes at once. */
  const probeIfDue = async (now: number): Promise<boolean> => {
    if (!((state.verifyRequested || now >= nextProbeAt) && !probing)) return false;
    state.verifyRequested = false;
    nextProbeAt = now + probeInterval(now, state.expiresAt);
    await calls.run('probe', probe);
    return true;
  };

  /** Fires every ladder step that is due (or asked for by `escalateNow`), in order. */
  const fireDueLadderSteps = async (now: number): Promise<void> => {
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
      const ladderStep = step.step;
      if (ladderStep.action === 'outage') {
        breakerOpened = true;
        await calls.run('open the breaker', () =>
          openConnectorBreaker(connector, 'certificateRenewal', `certificate of ${input.host} expired`),
        );
      }
      await tell({
        ...escalationAlert(ladderStep, { ...input, port }, connector, reference, reachability()),
        actions: renewalReminderActions(workflowInfo().workflowId),
      });
      if (ladderStep.action === 'p1-incident') {
        p1Event = {
          sourceSystem: 'certificate-renewal',
          sourceId: `${input.host}/expiry`,
          title: `P1: the TLS certificate of ${input.host} expires in ${ladderStep.daysBefore} days`,
          description: `Renewal not verified yet (vendor reference ${reference}).`,
          severity: 'critical',
        };
        const raising = p1Event;
        if (concurrent) recordsDueAt = now;
        else
          await calls.run('P1 incident', async () => {
            p1 = await attempt('P1 incident', () => records.servicenowUpsertIncident(raising));
          });
      }
    }
  };

  /** When the current level's next reminder is due (Infinity: acknowledged, or no level yet). */
  const reminderDueAt = (now: number): number =>
    state.level > 0 && !state.acknowledged
      ? Math.max(lastReminderAt + reminderInterval(now, state.expiresAt), state.snoozedUntil ?? 0)
      : Infinity;

  /** Reminds the current level that it has not acknowledged yet. */
  const remind = async (now: number): Promise<void> => {
    reminders++;
    lastReminderAt = now;
    state.record('workflow', 'reminded', `level ${state.level} reminder ${reminders}`);
    await tell({
      title: `Reminder: certificate of ${input.host} expires in ${Math.max(0, Math.ceil((state.expiresAt - now) / 86_400_000))} days`,
      severity: state.level >= 3 ? 'critical' : 'warning',
      summary: `Escalation level ${state.level} is not acknowledged yet.`,
      facts: [...reachability()!, { name: 'Act with', value: ACT_WITH }],
      actions: renewalReminderActions(workflowInfo().workflowId),
    });
  };

  /** A pending CAB decision: reminded every day, escalated once at its deadline. */
  const remindOrEscalateCab = async (now: number): Promise<void> => {
    const due = cabGate.due(now);
    if (!due) return;
    const pendingDays = Math.floor((now - cabGate.options.requestedAt) / 86_400_000);
    state.record(
      'workflow',
      due === 'remind' ? 'CAB reminded' : 'CAB escalated',
      `pending for ${pendingDays} day(s)`,
    );
    if (due === 'escalate')
      auditEvent({
        connector,
        action: 'cab-escalate',
        target: input.host,
        outcome: 'escalated',
        detail: { pendingDays },
      });
    await tell({
      title:
        due === 'remind'
          ? `Reminder: CAB decision pending for the certificate renewal of ${input.host}`
          : `CAB decision overdue: certificate renewal of ${input.host}`,
      severity: due === 'remind' ? 'warning' : 'critical',
      summary: `Change request ${change?.number ?? 'n/a'} awaits CAB since ${pendingDays} day(s); the certificate expires ${input.expiresAt}. The vendor gets the go-ahead only after approval.`,
      actions: cabActions(workflowInfo().workflowId),
    });
  };

  /** Sleeps on a durable timer until the next due step, or until a person or a call wakes it. */
  const waitForNextStep = async (remindAt: number): Promise<void> => {
    const candidates = [
      { what: 'verify certificate', at: nextProbeAt },
      ...(state.nextStep()
        ? [{ what: `escalate to ${state.nextStep()!.step.name}`, at: state.nextStep()!.at }]
        : []),
      ...(remindAt < Infinity ? [{ what: `reminder for level ${state.level}`, at: remindAt }] : []),
      ...(cabGated && cabGate.nextAt() ? [cabGate.nextAt()!] : []),
      ...(recordsDueAt < Infinity && !recordsRunning
        ? [{ what: 'open vendor records', at: recordsDueAt }]
        : []),
    ];
    nextWake = candidates.reduce((a, b) => (b.at < a.at ? b : a));
    wake = false;
    const woken = () =>
      wake ||
      !!state.escalateRequested ||
      !!state.cancelRequested ||
      state.cabChanged ||
      (state.verifyRequested && !probing);
    setCurrentDetails(renewalDetails(state.status(nextWake)));
    await condition(woken, Math.max(1, nextWake.at - Date.now()), {
      summary: `wait until ${new Date(nextWake.at).toISOString()}: ${nextWake.what}`,
    });
  };

  // The ladder: each pass does what is due, in this order, then sleeps until the next thing is.
  while (!state.done) {
    const now = Date.now();
    if (await cancelIfRequested()) break;
    await announceCabDecision();
    if ((await probeIfDue(now)) && state.done) break;
    await fireDueLadderSteps(now);
    if (cabGated) await remindOrEscalateCab(now);
    if (now >= recordsDueAt && !recordsRunning) await calls.run('records', openRecords);
    const remindAt = reminderDueAt(now);
    if (now >= remindAt) {
      await remind(now);
      continue;
    }
    await waitForNextStep(remindAt);
  }

  /** Closes what was opened: the vendor ticket and any P1 resolve, the change request closes. */
  const closeRecords = async (): Promise<void> => {
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
    if (change) {
      const closing = change;
      await attempt('close change request', () =>
        records.servicenowCloseChangeRequest({ sysId: closing.sysId, outcome }),
      );
    }
  };
  await calls.drain();
  await closeRecords();

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
    actions: state.actions.length + state.olderActions,
    ...(state.cancelRequested && {
      cancelled: { who: state.cancelRequested.who, reason: state.cancelRequested.reason },
    }),
    ...(state.unreachable && { unreachable: state.unreachable }),
    ...(cabGated && { cabReminders: cabGate.reminders, cabEscalated: cabGate.escalated, unapprovedChange }),
  };
}

/** A renewal for a certificate that already expired has nothing to escalate to: refuse it at start. */
function refusePastExpiry(expiresAt: string): void {
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at) || at <= Date.now())
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      nonRetryable: true,
      message: `expiresAt must be an ISO date-time in the future (got ${JSON.stringify(expiresAt).slice(0, 60)}), e.g. {"host":"erp.example.com","port":443,"expiresAt":"${new Date(Date.now() + 10 * 86_400_000).toISOString()}"}`,
    });
}
