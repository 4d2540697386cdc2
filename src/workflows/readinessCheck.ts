// readinessCheck: the inventory's readiness checklist as code. For each configured connector:
// reachable, credentials accepted, TLS certificate days to expiry; then one summary to Slack and
// Teams, and a small report as the result. Scheduled daily (see schedules.ts).
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Alert } from '../domain/alert';
import { gradeCheck, tlsTarget, type ConnectorCheck, type GradedCheck } from '../domain/readiness';
import { GATED_CONNECTORS } from '../domain/breaker';
import { askBreaker, reportOutcome } from './shared/breakerGate';
import { readinessCheckInput } from '../domain/inputs/readinessCheck';
import { countRun } from './shared/runMetrics';
import { beginRun, dropUnknownSignals } from './shared/runStart';
import { announce, type Announcement } from './shared/announce';
import { connectorAttributes } from './shared/childAttributes';
import { certificateRenewal } from './certificateRenewal';
import { certificateRenewalWorkflowId } from './certificateRenewal/messages';
import { startChildOnce } from './shared/startChildOnce';

export interface ReadinessCheckInput {
  /** Which connectors to check; all configured ones when absent. */
  connectors?: string[];
  /** A certificate expiring in fewer days than this is a warning. Default 30. */
  certWarnDays?: number;
  /** Start a certificateRenewal for each certificate under the threshold. Default true. */
  startRenewals?: boolean;
}

export interface ReadinessReport {
  checkedAt: string;
  status: 'ok' | 'warn' | 'fail';
  counts: { ok: number; warn: number; fail: number };
  connectors: GradedCheck[];
  notified: Announcement;
  /** Workflow ids of the certificate renewals this run started or found running. */
  renewals: string[];
}

const probes = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function readinessCheck(raw: ReadinessCheckInput): Promise<ReadinessReport> {
  const input = beginRun(readinessCheckInput, raw, () => ({
    connector: 'platform',
    details:
      'Readiness checklist: each connector reachable, credentials accepted, certificate days left; one summary to Slack and Teams.',
  }));
  dropUnknownSignals();
  const certWarnDays = input.certWarnDays ?? 30;
  const names = input.connectors?.length ? input.connectors : await probes.listConfiguredConnectors();
  const check = (name: string) =>
    probes.checkConnector.executeWithOptions({ summary: `checkConnector: ${name}` }, [name]);
  // Probes of connectors that write ask their breaker first (runs from before call regardless).
  const gated = patched('probes-ask-breaker');
  const checks = await Promise.all(
    names.map((name) =>
      gated && GATED_CONNECTORS.includes(name) ? checkThroughBreaker(name, check) : check(name),
    ),
  );
  const graded = checks.map((check) => gradeCheck(check, certWarnDays));
  const counts = {
    ok: graded.filter((c) => c.status === 'ok').length,
    warn: graded.filter((c) => c.status === 'warn').length,
    fail: graded.filter((c) => c.status === 'fail').length,
  };
  const status = counts.fail ? 'fail' : counts.warn ? 'warn' : 'ok';
  const renewals = input.startRenewals === false ? [] : await startRenewals(graded, certWarnDays);
  const notified = await announce(summaryAlert(graded, status, counts));
  for (const check of graded) {
    countRun(check.connector, 'readinessCheck', check.status);
  }
  return { checkedAt: new Date().toISOString(), status, counts, connectors: graded, notified, renewals };
}

/**
 * Not probed while the breaker is open (reported as failing, with the breaker's reason); an
 * unreachable endpoint counts as a failure towards opening it, a reachable one closes a half-open one.
 */
async function checkThroughBreaker(
  name: string,
  check: (name: string) => Promise<ConnectorCheck>,
): Promise<ConnectorCheck> {
  const permit = await askBreaker(name, 'readinessCheck');
  if (!permit.granted)
    return {
      connector: name,
      endpoint: '',
      reachable: false,
      credentialsAccepted: false,
      error: `not probed: ${permit.reason}`,
    };
  const result = await check(name);
  if (!result.reachable) await reportOutcome(name, 'readinessCheck', false, result.error ?? 'unreachable');
  else if (permit.probe) await reportOutcome(name, 'readinessCheck', true);
  return result;
}

/** One renewal per host: the workflow id is the host's, so a second start finds the first. */
async function startRenewals(checks: GradedCheck[], certWarnDays: number): Promise<string[]> {
  const ids: string[] = [];
  for (const check of checks) {
    const target = tlsTarget(check.endpoint);
    // An expired certificate is an outage the summary reports; a renewal needs a future expiry.
    if (!check.tls || !target || check.tls.daysToExpiry >= certWarnDays) continue;
    if (Date.parse(check.tls.validTo) <= Date.now()) continue;
    const workflowId = certificateRenewalWorkflowId(target.host);
    await startChildOnce(certificateRenewal, {
      workflowId,
      args: [{ ...target, connector: check.connector, expiresAt: check.tls.validTo }],
      typedSearchAttributes: connectorAttributes(check.connector),
      staticSummary: `Certificate renewal: ${target.host}`,
      staticDetails: `Started by readiness check ${workflowInfo().workflowId}: the certificate expires ${check.tls.validTo}.`,
    });
    ids.push(workflowId);
  }
  return ids;
}

function summaryAlert(
  checks: GradedCheck[],
  status: ReadinessReport['status'],
  counts: ReadinessReport['counts'],
): Alert {
  const mark = { ok: '✅', warn: '⚠️', fail: '❌' } as const;
  return {
    title: `Readiness check: ${status.toUpperCase()}`,
    severity: status === 'fail' ? 'critical' : status === 'warn' ? 'warning' : 'info',
    summary: `${checks.length} connectors checked: ${counts.ok} ok, ${counts.warn} warning, ${counts.fail} failing (run ${workflowInfo().workflowId}).`,
    facts: checks.map((c) => ({
      name: c.connector,
      value: `${mark[c.status]} ${c.reasons.length ? c.reasons.join('; ') : describeOk(c)}`,
    })),
  };
}

function describeOk(check: GradedCheck): string {
  return check.tls
    ? `reachable, credentials accepted, certificate valid ${check.tls.daysToExpiry} more days`
    : 'reachable, credentials accepted';
}
