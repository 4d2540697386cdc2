// `npm start`: the whole system on this machine. Temporal dev server (state in data/, UI on 8233,
// the Connector search attribute, the codec server as the UI's codec endpoint), the simulators, the
// worker, the ingress, the codec server, the schedules, and one run of each schedule so the Web UI
// shows results at once. Payloads are encrypted with a local key ring made once in data/.
// Ctrl-C stops every child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startAllSimulators } from '../simulators/run-all';
import { applySchedules, SCHEDULES } from '../src/schedules';
import { connectZoomDemo, seedDemoData } from './seed-demo';
import { showDeadLetters, showDigest } from './show-digest';
import { readBinaries } from './binaries';
import { simulatorEnv } from './local-env';
import { subscribeIngressToSes } from './ses-subscribe';
import { codecServerToken, localCodecEnv } from './local-codec';
import { dataConverterFromEnv } from '../src/codec/dataConverter';
import { devServerPartitionArgs } from '../src/domain/vendorQueues';

const ROOT = join(__dirname, '..');
const DATA = join(ROOT, 'data');
const TEMPORAL_PORT = Number(process.env.TEMPORAL_PORT ?? 7233);
const UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
const METRICS_PORT = Number(process.env.METRICS_PORT ?? 9464);
const INGRESS_PORT = Number(process.env.INGRESS_PORT ?? 8787);
const CODEC_PORT = Number(process.env.CODEC_SERVER_PORT ?? 8888);
const TASK_QUEUE = process.env.TASK_QUEUE ?? 'integrations';

const children: ChildProcess[] = [];
const say = (line: string) => console.log(`[start] ${line}`);

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function connectWithRetry(address: string, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: 2000 });
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} did not come up: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

let stopping = false;
let closeSimulators: (() => Promise<void>) | undefined;

async function stop(code: number): Promise<never> {
  stopping = true;
  say('stopping worker, simulators and Temporal');
  for (const child of [...children].reverse()) child.kill('SIGTERM');
  await Promise.all(
    children.filter((c) => c.exitCode === null).map((c) => new Promise((resolve) => c.once('exit', resolve))),
  );
  await closeSimulators?.();
  process.exit(code);
}

async function waitForFirstRuns(client: Client, since: Date, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const entry of SCHEDULES) {
    const closed = entry.longRunning ? '' : ` AND ExecutionStatus != 'Running'`;
    for (;;) {
      const runs = client.workflow.list({
        query: `TemporalScheduledById = '${entry.id}' AND StartTime >= '${since.toISOString()}'${closed}`,
      });
      let found = false;
      for await (const run of runs) {
        say(`${entry.id}: ${run.workflowId} ${run.status.name}`);
        found = true;
        break;
      }
      if (found || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function main(): Promise<void> {
  const binaries = readBinaries();
  for (const [port, what] of [
    [TEMPORAL_PORT, 'Temporal'],
    [UI_PORT, 'the Temporal UI'],
    [METRICS_PORT, 'worker metrics'],
    [INGRESS_PORT, 'the ingress'],
    [CODEC_PORT, 'the codec server'],
  ] as const) {
    if (await portInUse(port))
      throw new Error(`port ${port} for ${what} is in use: stop what runs there first`);
  }
  mkdirSync(DATA, { recursive: true });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const codecEnv: NodeJS.ProcessEnv = { ...process.env, ...localCodecEnv(DATA) };
  // The Web UI cannot send a header to a codec server: its endpoint carries the token in the path.
  const codecEndpoint = `http://localhost:${CODEC_PORT}/ui/${codecServerToken(codecEnv)}`;

  say(`Temporal dev server ${binaries.cli.version}`);
  startChild(
    'temporal',
    binaries.cli.path,
    [
      'server',
      'start-dev',
      '--db-filename',
      join(DATA, 'temporal.db'),
      '--port',
      String(TEMPORAL_PORT),
      '--ui-port',
      String(UI_PORT),
      '--search-attribute',
      'Connector=Keyword',
      '--log-level',
      'warn',
      '--ui-codec-endpoint',
      codecEndpoint,
      ...devServerPartitionArgs(),
    ],
    process.env,
  );
  startChild('codec server', process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'codecServer.ts')], {
    ...codecEnv,
    CODEC_SERVER_PORT: String(CODEC_PORT),
    CODEC_SERVER_CORS_ORIGINS: `http://localhost:${UI_PORT},http://127.0.0.1:${UI_PORT}`,
  });

  const sims = await startAllSimulators({ dataDir: join(DATA, 'simulators'), twilioClock: 'real' });
  closeSimulators = () => sims.close();
  await seedDemoData(sims, say);
  const address = `127.0.0.1:${TEMPORAL_PORT}`;
  const env = {
    ...codecEnv,
    ...simulatorEnv(sims),
    TEMPORAL_ADDRESS: address,
    METRICS_PORT: String(METRICS_PORT),
    TASK_QUEUE,
    // The console is for a person: the worker says only what needs attention (LOG_LEVEL overrides).
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Teams cards and alert e-mails link to the local ingress; the worker signs, the ingress checks.
    ACTION_LINK_BASE_URL: `http://localhost:${INGRESS_PORT}`,
    ACTION_LINK_SECRET: process.env.ACTION_LINK_SECRET ?? 'local-action-link-secret',
    // Mail through the SES simulator; the digest list has a mailbox-simulator address that bounces,
    // so the first digest puts it on the suppression list (`npm run cli -- ses suppressions list`).
    EMAIL_TRANSPORT: process.env.EMAIL_TRANSPORT ?? 'ses',
    DIGEST_EMAIL_TO:
      process.env.DIGEST_EMAIL_TO ?? 'integration-ops@example.com,bounce@simulator.amazonses.com',
    // Twilio posts delivery statuses to the local ingress; critical alerts page one simulated phone.
    INGRESS_PUBLIC_URL: `http://localhost:${INGRESS_PORT}`,
    TWILIO_ONCALL_NUMBERS: process.env.TWILIO_ONCALL_NUMBERS ?? 'platform-oncall=+15551230001',
  };

  const connection = await connectWithRetry(address, 60_000);
  const client = new Client({ connection, dataConverter: dataConverterFromEnv(env) });
  say('Temporal is up; starting the worker');
  startChild('worker', process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'worker.ts')], env);
  startChild('ingress', process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'ingress.ts')], {
    ...env,
    INGRESS_PORT: String(INGRESS_PORT),
  });

  await subscribeIngressToSes(sims.ses.url, sims.caPem, `http://localhost:${INGRESS_PORT}`);
  for (const r of await applySchedules(client, TASK_QUEUE, process.env.SCHEDULE_TIME_ZONE ?? 'UTC'))
    say(`schedule ${r.id}: ${r.outcome}`);
  const triggeredAt = new Date(Date.now() - 1000);
  for (const entry of SCHEDULES) await client.schedule.getHandle(entry.id).trigger();
  await waitForFirstRuns(client, triggeredAt, 120_000);
  await showDeadLetters(client, say);
  await showDigest(client, TASK_QUEUE, say);
  await connectZoomDemo(sims, `http://localhost:${INGRESS_PORT}/zoom/webhook`, say);

  say('ready:');
  say(`  Temporal Web UI   http://localhost:${UI_PORT}/namespaces/default/workflows`);
  say(`  Temporal gRPC     ${address}`);
  say(`  Worker metrics    http://localhost:${METRICS_PORT}/metrics`);
  say(`  Ingress           http://localhost:${INGRESS_PORT}/slack/interactivity (metrics /metrics)`);
  say(`  Slack simulator   ${sims.slack.url}/__admin/messages`);
  say(`  Teams simulator   ${sims.graph.url}/__admin/messages`);
  say(`  ERPNext simulator ${sims.erpnext.url}`);
  say(
    `  SMTP simulator    smtp://localhost:${sims.smtp.port}, mail at ${sims.smtp.admin.url}/__admin/messages`,
  );
  say(`  Tableau simulator ${sims.tableau.url}`);
  say(`  ServiceNow sim    ${sims.servicenow.url}`);
  say(`  Workday SOAP sim  ${sims.workday.url}/ccx/service/acme/Human_Resources (admin /__admin/workers)`);
  say(`  Zoom simulator    ${sims.zoom.url}/__admin/deliveries (webhooks to the ingress's /zoom/webhook)`);
  say(`  SES simulator     ${sims.ses.url}/__admin/ses/messages (SNS feedback to the ingress /ses/sns)`);
  say(`  Twilio simulator  ${sims.twilio.url}/__admin/messages (status callbacks /__admin/callbacks)`);
  say(`  Salesforce sim    ${sims.salesforce.url} (admin /__admin/salesforce/accounts)`);
  say(`  local CA          ${sims.caFile}`);
  say(
    `  Codec server      http://localhost:${CODEC_PORT} (the Web UI decodes through it; key ring ${codecEnv.CODEC_KEYS_FILE ?? 'CODEC_KEYS'})`,
  );
  say(
    `  CLI               CODEC_KEYS_FILE=${codecEnv.CODEC_KEYS_FILE ?? '<your ring>'} npm run cli -- --help`,
  );
  say('Ctrl-C stops everything.');
}

main().catch(async (err: unknown) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
});
