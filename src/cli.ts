// Operator CLI: start runs, apply and trigger schedules, print reports. Connection settings come
// from envconfig (see client.ts); the worker's own settings from the environment (config.ts).
import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { createClient } from './client';
import { loadConfig } from './config';
import { applySchedules, CONNECTOR_KEY, SCHEDULES } from './schedules';
import { registerDlqCommands } from './dlqCli';
import { registerSesCommands } from './sesCli';
import { collectStatus, readMetrics } from './status';
import { formatStatusTable } from './domain/statusTable';
import type { ReadinessReport } from './workflows/readinessCheck';
import {
  certificateRenewalWorkflowId,
  renewalActions,
  renewalStatus,
  type RenewalActionName,
} from './workflows/certificateRenewal/messages';
import { SLACK_TOKEN_ROTATION_ID } from './workflows/slackTokenRotation';

const WORKFLOW_CONNECTOR: Record<string, string> = {
  readinessCheck: 'platform',
  tableauExtractRefresh: 'tableau',
  workdayEmployeeImport: 'workday',
  dailyDigest: 'platform',
  slackTokenRotation: 'slack',
};

/** Workflows that must run once: their id is fixed, so a second start is refused by Temporal. */
const SINGLETON_ID: Record<string, string> = { slackTokenRotation: SLACK_TOKEN_ROTATION_ID };

function parseJson(value: string): object {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed;
  } catch {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"certWarnDays": 14}\'');
  }
}

const program = new Command('integrations').description('Operate the durable integrations on Temporal');

program
  .command('start <workflow>')
  .description('start a workflow run (one JSON object as input) and optionally wait for its report')
  .option('-i, --input <json>', 'workflow input as a JSON object', parseJson, {})
  .option('--id <workflowId>', 'workflow id (default: <workflow>-<uuid>)')
  .option('-w, --wait', 'wait for the result and print it')
  .action(async (workflow: string, opts: { input: object; id?: string; wait?: boolean }) => {
    if (!(workflow in WORKFLOW_CONNECTOR))
      throw new InvalidArgumentError(
        `unknown workflow ${workflow}; known: ${Object.keys(WORKFLOW_CONNECTOR).join(', ')}`,
      );
    const config = loadConfig();
    const client = await createClient();
    const handle = await client.workflow.start(workflow, {
      taskQueue: config.taskQueue,
      workflowId: opts.id ?? SINGLETON_ID[workflow] ?? `${workflow}-${randomUUID()}`,
      args: [opts.input],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: WORKFLOW_CONNECTOR[workflow] ?? 'platform' }],
      staticSummary: `${workflow} started from the CLI`,
      staticDetails: `Input: ${JSON.stringify(opts.input).slice(0, 500)}`,
    });
    console.log(`started ${workflow} as ${handle.workflowId}`);
    if (opts.wait) console.log(JSON.stringify(await handle.result(), null, 2));
  });

program
  .command('readiness')
  .description('run the readiness check now and print one line per connector')
  .option('--cert-warn-days <days>', 'warn when a certificate expires within this many days', Number)
  .action(async (opts: { certWarnDays?: number }) => {
    const config = loadConfig();
    const client = await createClient();
    const report = await client.workflow.execute('readinessCheck', {
      taskQueue: config.taskQueue,
      workflowId: `readinessCheck-${randomUUID()}`,
      args: [{ certWarnDays: opts.certWarnDays ?? config.readinessCertWarnDays }],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'platform' }],
      staticSummary: 'Readiness check started from the CLI',
    });
    printReadiness(report as ReadinessReport);
  });

const schedules = program.command('schedules').description('the schedule table (src/schedules.ts)');
schedules
  .command('apply')
  .description('create or update every schedule')
  .action(async () => {
    const config = loadConfig();
    const results = await applySchedules(await createClient(), config.taskQueue, config.scheduleTimeZone);
    for (const r of results) console.log(`${r.outcome.padEnd(8)} ${r.id}`);
  });
schedules
  .command('list')
  .description('list schedules with their next run')
  .action(async () => {
    const client = await createClient();
    for await (const s of client.schedule.list()) {
      const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
      console.log(`${s.scheduleId.padEnd(28)} next ${next}`);
    }
  });
schedules
  .command('trigger [scheduleId]')
  .description('run a schedule now (all of the table when no id is given)')
  .action(async (scheduleId?: string) => {
    const client = await createClient();
    for (const id of scheduleId ? [scheduleId] : SCHEDULES.map((s) => s.id)) {
      await client.schedule.getHandle(id).trigger();
      console.log(`triggered ${id}`);
    }
  });

const renewal = program
  .command('renewal')
  .description('certificate renewals: status and every action (sent as validated updates)');
renewal
  .command('status <host>')
  .description('stage, days left, escalation level, next step and the action log')
  .action(async (host: string) => {
    const client = await createClient();
    const status = await client.workflow.getHandle(certificateRenewalWorkflowId(host)).query(renewalStatus);
    console.log(JSON.stringify(status, null, 2));
  });

const RENEWAL_ACTIONS: Record<
  RenewalActionName,
  { description: string; args: (opts: Record<string, string>) => object }
> = {
  acknowledge: { description: 'acknowledge the current escalation level', args: (o) => ({ note: o.note }) },
  escalateNow: { description: 'escalate to the next level now', args: (o) => ({ reason: o.reason }) },
  snooze: {
    description: 'snooze reminders until --until (bounded by the next step)',
    args: (o) => ({ until: o.until }),
  },
  renewed: { description: 'the vendor says it renewed: verify now', args: () => ({}) },
  cabDecision: {
    description: 'record the CAB decision (--approved or --rejected)',
    args: (o) => ({ approved: o.approved !== undefined, note: o.note }),
  },
  cancel: { description: 'cancel the renewal', args: (o) => ({ reason: o.reason }) },
};

for (const [name, spec] of Object.entries(RENEWAL_ACTIONS) as [
  RenewalActionName,
  (typeof RENEWAL_ACTIONS)[RenewalActionName],
][]) {
  renewal
    .command(`${name} <host>`)
    .description(spec.description)
    .requiredOption('--who <who>', 'the person acting (recorded in the action log)')
    .option('--note <note>')
    .option('--reason <reason>')
    .option('--until <iso>')
    .option('--approved')
    .option('--rejected')
    .action(async (host: string, opts: Record<string, string>) => {
      const client = await createClient();
      const handle = client.workflow.getHandle(certificateRenewalWorkflowId(host));
      const reply = await handle.executeUpdate(renewalActions[name].update, {
        args: [{ who: opts.who, ...spec.args(opts) }] as never,
      });
      console.log(reply.detail);
    });
}

program
  .command('status')
  .description('per connector: last run, outcome, 24 h success rate, dead letters, breaker state')
  .option('--no-metrics', "skip the worker's /metrics (METRICS_PORT)")
  .action(async (opts: { metrics: boolean }) => {
    const config = loadConfig();
    const metrics =
      opts.metrics && config.metricsPort
        ? await readMetrics(`http://localhost:${config.metricsPort}/metrics`)
        : undefined;
    const now = new Date();
    const { rows, problems } = await collectStatus(await createClient(), now, metrics);
    console.log(formatStatusTable(rows, now));
    for (const p of problems) console.error(p);
  });

function printReadiness(report: ReadinessReport): void {
  console.log(
    `readiness: ${report.status} (${report.counts.ok} ok, ${report.counts.warn} warn, ${report.counts.fail} fail)`,
  );
  for (const c of report.connectors) {
    const days = c.tls ? `${c.tls.daysToExpiry}d` : 'no TLS';
    console.log(
      `  ${c.status.padEnd(4)} ${c.connector.padEnd(10)} ${days.padEnd(7)} ${c.reasons.join('; ')}`,
    );
  }
  console.log(`notified: slack ${report.notified.slack}, teams ${report.notified.teams}`);
}

registerDlqCommands(program, createClient);
registerSesCommands(program, createClient);

program.parseAsync().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
