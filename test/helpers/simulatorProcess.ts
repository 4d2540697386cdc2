// One simulator in a process of its own (`simulators/run-one.ts`), for tests that read the times
// at which it received requests: in the test's own process those times are only as exact as the
// test's event loop is free. It issues its certificate from the CA of `caFile`, which the
// workers already trust.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { SIMULATOR_PORTS, type SimulatorName } from '../../simulators/run-all';
import { waitFor } from './waitFor';
import { freePort } from './workerProcess';

const RUN_ONE = join(__dirname, '..', '..', 'simulators', 'run-one.ts');

export async function startSimulatorProcess(
  name: SimulatorName,
  caFile: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_ONE, name], {
    env: {
      ...process.env,
      [SIMULATOR_PORTS[name].env]: String(port),
      SIM_DATA_DIR: dirname(dirname(caFile)), // run-one reads its CA from <SIM_DATA_DIR>/ca
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await waitFor(`the ${name} simulator process to listen`, async () => {
      if (child.exitCode !== null) throw new Error(`it exited ${child.exitCode}: ${output}`);
      return /https?:\/\/\S+/.exec(output)?.[0];
    });
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
