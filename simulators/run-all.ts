// Starts every HTTP simulator with one local CA. As a script (`tsx simulators/run-all.ts`) it reads
// each simulator's port from its SIM_*_PORT variable (SIMULATOR_PORTS below) and SIM_DATA_DIR, and
// runs until SIGINT/SIGTERM.
import path from 'node:path';
import { startErpnextSimulator } from './erpnext/server';
import { startGraphSimulator } from './graph/server';
import type { HttpSimulator } from './kit/http-simulator';
import { createLocalCa, type LocalCa } from './kit/local-ca';
import { startSalesforceSimulator } from './salesforce/server';
import { startServicenowSimulator } from './servicenow/server';
import { startSesSimulator } from './ses/server';
import { startSftpSimulator, type SftpSimulator } from './sftp/server';
import { startSlackSimulator } from './slack/server';
import { startSmtpSimulator, type SmtpSimulator } from './smtp/server';
import { startTableauSimulator } from './tableau/server';
import { startTwilioSimulator } from './twilio/server';
import { startWorkdaySimulator } from './workday/server';
import { startZoomSimulator } from './zoom/server';

export type SimulatorName =
  | 'slack'
  | 'graph'
  | 'erpnext'
  | 'tableau'
  | 'servicenow'
  | 'erpnextEu'
  | 'workday'
  | 'zoom'
  | 'ses'
  | 'twilio'
  | 'salesforce';

export const SIMULATOR_PORTS: Record<SimulatorName, { env: string; default: number }> = {
  slack: { env: 'SIM_SLACK_PORT', default: 4101 },
  graph: { env: 'SIM_GRAPH_PORT', default: 4102 },
  erpnext: { env: 'SIM_ERPNEXT_PORT', default: 4103 },
  tableau: { env: 'SIM_TABLEAU_PORT', default: 4105 },
  servicenow: { env: 'SIM_SERVICENOW_PORT', default: 4104 },
  /** The EU region's ERPNext (EU/EEA employees only). */
  erpnextEu: { env: 'SIM_ERPNEXT_EU_PORT', default: 4106 },
  /** Workday Human_Resources SOAP (Get_Workers). */
  workday: { env: 'SIM_WORKDAY_PORT', default: 4108 },
  /** Zoom: S2S OAuth, reports, registrants, and the webhook sender (admin API). */
  zoom: { env: 'SIM_ZOOM_PORT', default: 4113 },
  /** AWS SES v2 SendEmail and its SNS feedback. */
  ses: { env: 'SIM_SES_PORT', default: 4130 },
  /** Twilio REST (Messages, usage records) with signed status callbacks. */
  twilio: { env: 'SIM_TWILIO_PORT', default: 4109 },
  /** Salesforce REST, Bulk API 2.0, OAuth and Outbound Messages. */
  salesforce: { env: 'SIM_SALESFORCE_PORT', default: 4111 },
};

export const DEFAULT_DATA_DIR = path.join('data', 'simulators');

/** Port from the argument, else the env variable, else the default (0 = any free port). */
export function simulatorPort(name: SimulatorName, port?: number, env = process.env): number {
  if (port !== undefined) return port;
  const { env: variable, default: fallback } = SIMULATOR_PORTS[name];
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`${variable}=${raw} is not a port`);
  return parsed;
}

/** Every simulator speaks HTTPS with a certificate from the local CA, as the real vendors do. */
export function startSimulator(
  name: SimulatorName,
  ca: LocalCa,
  port: number,
  options: { twilioClock?: 'manual' | 'real' } = {},
): Promise<HttpSimulator> {
  switch (name) {
    case 'slack':
      return startSlackSimulator({ port, tls: { ca } });
    case 'graph':
      return startGraphSimulator({ port, tls: { ca } });
    case 'erpnext':
      return startErpnextSimulator({ port, tls: { ca }, timeZone: 'America/New_York' });
    case 'tableau':
      return startTableauSimulator({ port, tls: { ca } });
    case 'servicenow':
      return startServicenowSimulator({ port, tls: { ca } });
    case 'erpnextEu':
      return startErpnextSimulator({ port, tls: { ca }, name: 'erpnext-eu', timeZone: 'Europe/Berlin' });
    case 'workday':
      return startWorkdaySimulator({ port, tls: { ca } });
    case 'zoom':
      return startZoomSimulator({ port, tls: { ca } });
    case 'ses':
      // The sandbox lets the demo's own domain receive; anything else is MessageRejected.
      return startSesSimulator({ port, tls: { ca }, verified: ['example.com'] });
    case 'twilio':
      return startTwilioSimulator({ port, tls: { ca }, clock: options.twilioClock });
    case 'salesforce':
      return startSalesforceSimulator({ port, tls: { ca } });
  }
}

export interface AllSimulators {
  caFile: string;
  caPem: string;
  slack: HttpSimulator;
  graph: HttpSimulator;
  erpnext: HttpSimulator;
  tableau: HttpSimulator;
  servicenow: HttpSimulator;
  /** SMTP on `smtp.port` (STARTTLS, AUTH); its HTTPS admin API at `smtp.admin.url`. */
  smtp: SmtpSimulator;
  erpnextEu: HttpSimulator;
  /** SSH/SFTP on `sftp.port` (SIM_SFTP_PORT, default 4122), exports under /exports. */
  sftp: SftpSimulator;
  /** Workday SOAP at `${workday.url}/ccx/service/acme/Human_Resources`. */
  workday: HttpSimulator;
  zoom: HttpSimulator;
  /** SES v2 at `ses.url` (SES_ENDPOINT); admin under /__admin/ses. */
  ses: HttpSimulator;
  /** Twilio REST at `${twilio.url}/2010-04-01/...`; its test clock at /__admin/clock. */
  twilio: HttpSimulator;
  salesforce: HttpSimulator;
  close(): Promise<void>;
}

export async function startAllSimulators(options: {
  dataDir: string;
  ports?: Partial<Record<SimulatorName | 'smtp' | 'smtpAdmin' | 'sftp', number>>;
  /** `real` for npm start: SMS statuses move by themselves; tests move the clock. */
  twilioClock?: 'manual' | 'real';
}): Promise<AllSimulators> {
  const ca = await createLocalCa(path.join(options.dataDir, 'ca'));
  const started: HttpSimulator[] = [];
  const start = async (name: SimulatorName) => {
    const sim = await startSimulator(name, ca, simulatorPort(name, options.ports?.[name]), options);
    started.push(sim);
    return sim;
  };
  let smtp: SmtpSimulator | undefined;
  let sftp: SftpSimulator | undefined;
  const closeAll = async () => {
    await Promise.allSettled([...started.map((s) => s.close()), smtp?.close(), sftp?.close()]);
  };
  try {
    const slack = await start('slack');
    const graph = await start('graph');
    const erpnext = await start('erpnext');
    const tableau = await start('tableau');
    const servicenow = await start('servicenow');
    smtp = await startSmtpSimulator({
      ca,
      port: options.ports?.smtp ?? Number(process.env.SIM_SMTP_PORT || 2525),
      adminPort: options.ports?.smtpAdmin ?? Number(process.env.SIM_SMTP_ADMIN_PORT || 4107),
    });
    const erpnextEu = await start('erpnextEu');
    sftp = await startSftpSimulator({
      port: options.ports?.sftp ?? Number(process.env.SIM_SFTP_PORT || 4122),
      rootDir: path.join(options.dataDir, 'sftp'),
      hostKeyFile: path.join(options.dataDir, 'sftp-host-key'),
    });
    const workday = await start('workday');
    const zoom = await start('zoom');
    const ses = await start('ses');
    const twilio = await start('twilio');
    const salesforce = await start('salesforce');
    return {
      caFile: ca.caFile,
      caPem: ca.caPem,
      slack,
      graph,
      erpnext,
      tableau,
      servicenow,
      smtp,
      erpnextEu,
      sftp,
      workday,
      zoom,
      ses,
      twilio,
      salesforce,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Keeps a script alive until SIGINT/SIGTERM, then closes and exits. */
export function closeOnSignal(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: stopping simulators`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function main(): Promise<void> {
  const sims = await startAllSimulators({
    dataDir: process.env.SIM_DATA_DIR || DEFAULT_DATA_DIR,
    twilioClock: 'real',
  });
  for (const sim of [sims.slack, sims.graph, sims.erpnext, sims.tableau, sims.servicenow, sims.twilio])
    console.log(`${sim.name.padEnd(8)} ${sim.url}`);
  console.log(`smtp     smtp://localhost:${sims.smtp.port} (admin ${sims.smtp.admin.url})`);
  console.log(`erpnext-eu ${sims.erpnextEu.url}`);
  console.log(
    `sftp     sftp://${sims.sftp.host}:${sims.sftp.port}/exports (${sims.sftp.hostKeyFingerprint})`,
  );
  console.log(`workday  ${sims.workday.url}/ccx/service/acme/Human_Resources`);
  console.log(`zoom     ${sims.zoom.url} (webhook sender: ${sims.zoom.url}/__admin/webhook)`);
  console.log(`ses      ${sims.ses.url}`);
  console.log(`salesforce ${sims.salesforce.url}`);
  console.log(`ca       ${path.resolve(sims.caFile)}`);
  closeOnSignal(() => sims.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
