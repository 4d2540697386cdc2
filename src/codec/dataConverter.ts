// The one data converter every Temporal client and worker of the project uses (worker, CLI,
// ingress, scripts, benchmarks, tests): the encryption codec when a key ring is configured.
import type { DataConverter } from '@temporalio/common';
import { DEFAULT_COMPRESS_ABOVE, EncryptionCodec } from './encryptionCodec';
import { keyRingFromEnv, type KeyRing } from './keyRing';

export function compressAboveFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CODEC_COMPRESS_ABOVE;
  if (raw === undefined || raw === '') return DEFAULT_COMPRESS_ABOVE;
  if (raw === 'off') return Infinity;
  const bytes = Number(raw);
  if (!Number.isInteger(bytes) || bytes < 0)
    throw new Error(`CODEC_COMPRESS_ABOVE=${raw}: a number of bytes, or "off"`);
  return bytes;
}

/** The module whose `failureConverter` puts failure messages into the (encrypted) payloads. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failureConverter');

export function dataConverterFor(
  ring: KeyRing | undefined,
  compressAbove = DEFAULT_COMPRESS_ABOVE,
): DataConverter {
  const failureConverterPath = FAILURE_CONVERTER_PATH;
  return ring
    ? { failureConverterPath, payloadCodecs: [new EncryptionCodec(ring, { compressAbove })] }
    : { failureConverterPath };
}

/** The codec from CODEC_KEYS / CODEC_KEYS_FILE and CODEC_COMPRESS_ABOVE; no codec without a ring. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return dataConverterFor(keyRingFromEnv(env), compressAboveFromEnv(env));
}

/** For start-up logs: whether payloads are encrypted, and with which current keys. */
export function codecSummary(converter: DataConverter): string {
  const codec = converter.payloadCodecs?.find((c): c is EncryptionCodec => c instanceof EncryptionCodec);
  if (!codec) return 'off (CODEC_KEYS not set: payloads are stored in the clear)';
  const { current } = codec.ring;
  return `AES-256-GCM, current key ${current.default}${current.eu ? `, EU key ${current.eu}` : ', no EU key'}`;
}
