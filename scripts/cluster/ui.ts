// The Temporal Web UI: the ui-server module (the same UI the CLI's dev server embeds), built pinned by
// the setup script, configured by a YAML file and pointed at the cluster's frontend.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startProcess, waitUntil, type Managed } from './process';

export interface TemporalUi {
  url: string;
  process: Managed;
}

export async function startUi(
  binary: string,
  temporalAddress: string,
  port: number,
  dir: string,
  logDir: string,
  codecEndpoint?: string,
): Promise<TemporalUi> {
  mkdirSync(join(dir, 'config'), { recursive: true });
  const config = {
    temporalGrpcAddress: temporalAddress,
    host: '127.0.0.1',
    port,
    enableUi: true,
    defaultNamespace: 'default',
    disableNewsFetch: true,
    cors: { allowOrigins: [`http://localhost:${port}`], cookieInsecure: true },
    auth: { enabled: false },
    codec: codecEndpoint ? { endpoint: codecEndpoint } : {},
  };
  writeFileSync(join(dir, 'config', 'cluster.yaml'), stringify(config));
  const proc = startProcess(
    'temporal-ui',
    binary,
    ['--root', dir, '--config', 'config', '--env', 'cluster', 'start'],
    join(logDir, 'temporal-ui.log'),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    'the Web UI answering /healthz',
    async () => (await fetch(`${url}/healthz`)).ok,
    proc,
    60_000,
  );
  return { url, process: proc };
}
