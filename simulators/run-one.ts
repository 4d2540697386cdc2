// Runs one simulator alone: `tsx simulators/run-one.ts slack|graph|erpnext`, with the same env
// variables as run-all (SIM_<NAME>_PORT, SIM_DATA_DIR).
import path from 'node:path';
import { createLocalCa } from './kit/local-ca';
import {
  DEFAULT_DATA_DIR,
  SIMULATOR_PORTS,
  closeOnSignal,
  simulatorPort,
  startSimulator,
  type SimulatorName,
} from './run-all';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !(name in SIMULATOR_PORTS)) {
    throw new Error(`usage: tsx simulators/run-one.ts <${Object.keys(SIMULATOR_PORTS).join('|')}>`);
  }
  const ca = await createLocalCa(path.join(process.env.SIM_DATA_DIR || DEFAULT_DATA_DIR, 'ca'));
  const sim = await startSimulator(name as SimulatorName, ca, simulatorPort(name as SimulatorName));
  console.log(`${sim.name.padEnd(8)} ${sim.url}`);
  console.log(`ca       ${path.resolve(ca.caFile)}`);
  closeOnSignal(() => sim.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
