// Composition root of the codec server (src/codec/server.ts): the key ring (CODEC_KEYS /
// CODEC_KEYS_FILE), the bearer token (CODEC_SERVER_TOKEN / _FILE), the UI origins allowed by CORS.
import { readFileSync } from 'node:fs';
import { dataConverterFromEnv } from './codec/dataConverter';
import { createCodecServer } from './codec/server';
import { closeOnSignals, runMain } from './serve';

export const DEFAULT_CODEC_SERVER_PORT = 8888;

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file && env[name]) throw new Error(`${name} and ${name}_FILE are both set; set only one`);
  return file ? readFileSync(file, 'utf8').trim() : env[name];
}

export function codecServerSettings(env: NodeJS.ProcessEnv = process.env) {
  const token = secret(env, 'CODEC_SERVER_TOKEN');
  if (!token) throw new Error('CODEC_SERVER_TOKEN (or CODEC_SERVER_TOKEN_FILE) is required');
  const codec = dataConverterFromEnv(env).payloadCodecs?.[0];
  if (!codec) throw new Error('CODEC_KEYS (or CODEC_KEYS_FILE) is required: the codec server has no keys');
  return {
    codec,
    token,
    corsOrigins: (env.CODEC_SERVER_CORS_ORIGINS ?? 'http://localhost:8233')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    port: Number(env.CODEC_SERVER_PORT ?? DEFAULT_CODEC_SERVER_PORT),
    host: env.CODEC_SERVER_HOST ?? '127.0.0.1',
  };
}

async function main(): Promise<void> {
  const settings = codecServerSettings();
  const app = await createCodecServer(settings);
  const address = await app.listen({ port: settings.port, host: settings.host });
  process.stdout.write(`codec server listening on ${address} (CORS: ${settings.corsOrigins.join(', ')})\n`);
  closeOnSignals(app);
}

if (require.main === module) runMain(main);
