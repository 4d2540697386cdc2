// docker-compose.yml must run the product, read as a new operator would: every setting the worker
// reads (derived from the one connector table, so a new connector fails here until compose has it),
// each secret as a docker secret file, the schedules applied by a one-shot, several workers, and the
// ingress and codec server beside them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONNECTOR_VARIABLES, SECRET_VARIABLES } from '../../../src/connectors';

interface Service {
  command?: string | string[];
  environment?: Record<string, string | null>;
  secrets?: (string | { source: string })[];
  depends_on?: Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string | string[] };
}

const compose = parse(readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string }>;
};
const service = (name: string): Service => {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has no ${name} service`);
  return s;
};
const secretsOf = (s: Service) =>
  new Set((s.secrets ?? []).map((x) => (typeof x === 'string' ? x : x.source)));

describe('deploy: docker-compose.yml runs the product', () => {
  const worker = service('worker');
  const env = worker.environment ?? {};

  it('gives the worker every setting of the connector table', () => {
    const plain = Object.keys(CONNECTOR_VARIABLES).filter((name) => !SECRET_VARIABLES.includes(name));
    const missing = plain.filter((name) => !(name in env));
    assert.deepEqual(missing, [], 'connector settings the worker service does not pass');
  });

  it('gives the worker every connector secret as a *_FILE docker secret, never as a value', () => {
    const given = secretsOf(worker);
    for (const name of SECRET_VARIABLES) {
      assert.ok(!(name in env), `${name} must reach the worker as ${name}_FILE`);
      const file = env[`${name}_FILE`];
      assert.ok(file, `worker: ${name}_FILE is missing`);
      const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(file)?.[1];
      assert.ok(secret, `worker: ${name}_FILE=${file} is not a docker secret`);
      assert.ok(given.has(secret), `worker: secret ${secret} is not given to the service`);
      assert.equal(compose.secrets[secret]?.file, `./secrets/${secret}`, `secret ${secret} has no file`);
    }
  });

  it('applies the schedules with a one-shot once Temporal is up', () => {
    const oneShot = service('schedules');
    assert.deepEqual([oneShot.command].flat(), ['node', 'lib/src/cli.js', 'schedules', 'apply']);
    assert.equal(oneShot.depends_on?.temporal?.condition, 'service_healthy');
    assert.equal(
      oneShot.environment?.TASK_QUEUE,
      env.TASK_QUEUE,
      'schedules start runs on the workers’ queue',
    );
  });

  it('runs several workers, the ingress and the codec server, each with a health check', () => {
    assert.ok((worker.deploy?.replicas ?? 1) >= 2, 'worker deploy.replicas');
    assert.deepEqual([service('ingress').command].flat(), ['node', 'lib/src/ingress.js']);
    assert.deepEqual([service('codec-server').command].flat(), ['node', 'lib/src/codecServer.js']);
    for (const name of ['worker', 'ingress', 'codec-server'])
      assert.ok(service(name).healthcheck?.test, name);
  });

  it('gives every project process that talks to Temporal the codec key ring', () => {
    const ours = Object.entries(compose.services).filter(
      ([, s]) => s.environment?.TEMPORAL_ADDRESS && /lib\/src\//.test([s.command].flat().join(' ')),
    );
    assert.deepEqual(ours.map(([name]) => name).sort(), ['ingress', 'schedules', 'worker']);
    for (const [name, s] of [...ours, ['codec-server', service('codec-server')] as const]) {
      assert.equal(s.environment?.CODEC_KEYS_FILE, '/run/secrets/codec_keys', `${name}: CODEC_KEYS_FILE`);
      assert.ok(secretsOf(s).has('codec_keys'), `${name}: the codec_keys secret`);
    }
  });
});
