// Starts every HTTP simulator with one local CA. As a script (`tsx simulators/run-all.ts`) it reads
// SIM_SLACK_PORT / SIM_GRAPH_PORT / SIM_ERPNEXT_PORT / SIM_TABLEAU_PORT / SIM_SERVICENOW_PORT / SIM_DATA_DIR and runs until SIGINT/SIGTERM.
import path from 'node:path';
import { startErpnextSimulator } from './erpnext/server';
import { startGraphSimulator } from './graph/server';
import type { HttpSimulator } from './kit/http-simulator';
import { createLocalCa, type LocalCa } from './kit/local-ca';
import { startSalesforceSimulator } from './salesforce/server';
import { startServicenowSimulator } from './servicenow/server';
import { startSftpSimulator, type SftpSimulator } from './sftp/server';
import { startSlackSimulator } from './slack/server';
import { startSmtpSimulator, type SmtpSimulator } from './smtp/server';
import { startTableauSimulator } from './tableau/server';
import { startWorkdaySimulator } from './workday/server';

export type SimulatorName =
  'slack' | 'graph' | 'erpnext' | 'tableau' | 'servicenow' | 'erpnextEu' | 'workday' | 'salesforce';

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
  /** Salesforce REST, Bulk API 2.0, OAuth and Outbound Messages. */
  salesforce: { env: 'SIM_SALESFORCE_PORT', default: 4109 },
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
export function startSimulator(name: SimulatorName, ca: LocalCa, port: number): Promise<HttpSimulator> {
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
  salesforce: HttpSimulator;
  close(): Promise<void>;
}

export async function startAllSimulators(options: {
  dataDir: string;
  ports?: Partial<Record<SimulatorName | 'smtp' | 'smtpAdmin' | 'sftp', number>>;
}): Promise<AllSimulators> {
  const ca = await createLocalCa(path.join(options.dataDir, 'ca'));
  const started: HttpSimulator[] = [];
  const start = async (name: SimulatorName) => {
    const sim = await startSimulator(name, ca, simulatorPort(name, options.ports?.[name]));
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
  const sims = await startAllSimulators({ dataDir: process.env.SIM_DATA_DIR || DEFAULT_DATA_DIR });
  for (const sim of [sims.slack, sims.graph, sims.erpnext, sims.tableau, sims.servicenow])
    console.log(`${sim.name.padEnd(8)} ${sim.url}`);
  console.log(`smtp     smtp://localhost:${sims.smtp.port} (admin ${sims.smtp.admin.url})`);
  console.log(`erpnext-eu ${sims.erpnextEu.url}`);
  console.log(
    `sftp     sftp://${sims.sftp.host}:${sims.sftp.port}/exports (${sims.sftp.hostKeyFingerprint})`,
  );
  console.log(`workday  ${sims.workday.url}/ccx/service/acme/Human_Resources`);
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
