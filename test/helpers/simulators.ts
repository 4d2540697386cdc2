// Every simulator on free ports in a temp dir, and a worker configuration that points at them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAllSimulators } from '../../simulators/run-all';
import { simulatorEnv } from '../../scripts/local-env';
import { loadConfig, type Config } from '../../src/config';

export type Simulators = Awaited<ReturnType<typeof startAllSimulators>>;

export async function startTestSimulators(): Promise<{
  sims: Simulators;
  env: Record<string, string>;
  stop(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'sims-'));
  const sims = await startAllSimulators({
    dataDir: dir,
    ports: {
      slack: 0,
      graph: 0,
      erpnext: 0,
      tableau: 0,
      servicenow: 0,
      smtp: 0,
      smtpAdmin: 0,
      erpnextEu: 0,
      sftp: 0,
      workday: 0,
      zoom: 0,
      ses: 0,
      twilio: 0,
      salesforce: 0,
    },
  });
  return {
    sims,
    env: simulatorEnv(sims),
    async stop() {
      await sims.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(env: Record<string, string>, overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', METRICS_PORT: '0', ...env, ...overrides });
}

/** Posts to a simulator's admin endpoint (faults, reset, certificate). */
export async function admin(baseUrl: string, path: string, body: unknown, caPem?: string): Promise<unknown> {
  const { Agent } = await import('undici');
  const response = await fetch(`${baseUrl}/__admin/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A simulator on HTTPS is trusted through the test CA; one on plain HTTP needs none.
    ...(caPem ? ({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object) : {}),
  });
  if (!response.ok) throw new Error(`admin ${path} → HTTP ${response.status}`);
  return response.json();
}

/** The Employees an ERPNext simulator holds, read through its REST API as a user would (`fields`). */
export async function erpnextEmployees<T>(
  url: string,
  caPem: string,
  fields: string[] = ['*'],
): Promise<T[]> {
  const { Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const params = new URLSearchParams({ fields: JSON.stringify(fields), limit_page_length: '0' });
    const response = await fetch(`${url}/api/resource/Employee?${params}`, {
      headers: { authorization: 'token sim-key:sim-secret' },
      ...({ dispatcher } as object),
    });
    if (response.status !== 200) throw new Error(`ERPNext ${url}: HTTP ${response.status}`);
    return ((await response.json()) as { data: T[] }).data;
  } finally {
    await dispatcher.close();
  }
}
