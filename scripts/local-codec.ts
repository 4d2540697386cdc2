// The payload codec for `npm start`: a local key ring and codec-server token in data/, made once
// (data/ is never committed) and kept, so histories written by earlier runs still read. Variables
// already set (CODEC_KEYS, CODEC_KEYS_FILE, CODEC_SERVER_TOKEN, CODEC_SERVER_TOKEN_FILE) win.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyRing } from '../src/codec/keyRing';

function once(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return file;
}

export function localCodecEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const made: Record<string, string> = {};
  if (!env.CODEC_KEYS && !env.CODEC_KEYS_FILE)
    made.CODEC_KEYS_FILE = once(join(dataDir, 'codec-keys.json'), () =>
      JSON.stringify(generateKeyRing(), null, 2),
    );
  if (!env.CODEC_SERVER_TOKEN && !env.CODEC_SERVER_TOKEN_FILE)
    made.CODEC_SERVER_TOKEN_FILE = once(join(dataDir, 'codec-server-token'), () =>
      randomBytes(24).toString('base64url'),
    );
  return made;
}

/** The token the codec server checks, for the Web UI's codec endpoint URL. */
export function codecServerToken(env: NodeJS.ProcessEnv): string {
  return env.CODEC_SERVER_TOKEN ?? readFileSync(env.CODEC_SERVER_TOKEN_FILE!, 'utf8').trim();
}
