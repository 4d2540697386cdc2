// AES-256-GCM payload codec: each payload (metadata and data, as one protobuf) is optionally
// gzipped, then sealed with a fresh 12-byte nonce under the current key of its region. The key id
// and the compression travel in the sealed payload's metadata and are bound as GCM associated
// data, so neither can be swapped. Payloads without `binary/encrypted` pass through on decode:
// histories recorded before the codec still read and replay.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRegion, KeyRing } from './keyRing';
import { keyRegionOf } from './regions';

export const ENCODING = 'binary/encrypted';
export const KEY_ID = 'encryption-key-id';
export const CIPHER = 'encryption-cipher';
export const COMPRESSION = 'encryption-compression';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Default: payloads of 2 KiB and more are gzipped before encryption. */
export const DEFAULT_COMPRESS_ABOVE = 2048;

const PayloadProto = temporal.api.common.v1.Payload;
const text = (s: string) => Buffer.from(s, 'utf8');
const str = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export interface CodecOptions {
  /** Gzip payloads of at least this many bytes before encrypting (Infinity: never). */
  compressAbove?: number;
}

export function isEncrypted(payload: Payload): boolean {
  return str(payload.metadata?.encoding) === ENCODING;
}

function associatedData(keyId: string, compression: string): Buffer {
  return text(`${ALGORITHM}\n${keyId}\n${compression}`);
}

export function sealPayload(
  payload: Payload,
  ring: KeyRing,
  region: KeyRegion,
  options: CodecOptions = {},
): Payload {
  const keyId = ring.current[region];
  if (!keyId)
    throw new Error(
      `the codec key ring has no ${region} key: payloads holding ${region.toUpperCase()} data cannot be encrypted here`,
    );
  const key = ring.keys.get(keyId)!;
  let plain: Buffer = Buffer.from(PayloadProto.encode(payload).finish());
  const compression = plain.length >= (options.compressAbove ?? DEFAULT_COMPRESS_ABOVE) ? 'gzip' : 'none';
  if (compression === 'gzip') plain = gzipSync(plain, { level: 1 });
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce).setAAD(associatedData(keyId, compression));
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: {
      encoding: text(ENCODING),
      [CIPHER]: text(ALGORITHM),
      [KEY_ID]: text(keyId),
      [COMPRESSION]: text(compression),
    },
    data: sealed,
  };
}

export function openPayload(payload: Payload, ring: KeyRing): Payload {
  if (!isEncrypted(payload)) return payload;
  const keyId = str(payload.metadata?.[KEY_ID]);
  if (!keyId) throw new Error(`encrypted payload without ${KEY_ID} metadata`);
  const key = ring.keys.get(keyId);
  if (!key)
    throw new Error(
      `payload encrypted with key ${keyId}, which is not in this codec key ring: cannot decrypt it`,
    );
  const compression = str(payload.metadata?.[COMPRESSION]) ?? 'none';
  const data = Buffer.from(payload.data ?? []);
  if (data.length < NONCE_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key ${keyId}) is truncated`);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, NONCE_BYTES))
      .setAAD(associatedData(keyId, compression))
      .setAuthTag(data.subarray(data.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new Error(
      `payload encrypted with key ${keyId} failed authentication: altered, or another key of that id`,
    );
  }
  if (compression === 'gzip') plain = gunzipSync(plain);
  const { metadata, data: inner } = PayloadProto.decode(plain);
  return { metadata, data: inner };
}

export class EncryptionCodec implements PayloadCodec {
  constructor(
    readonly ring: KeyRing,
    private readonly options: CodecOptions = {},
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const region = keyRegionOf(context);
    if (!this.ring.current[region])
      throw new Error(
        `the codec key ring has no ${region} key: ${context?.workflowId ?? 'this workflow'} holds ${region.toUpperCase()} data and cannot be written or queried here`,
      );
    return payloads.map((p) => sealPayload(p, this.ring, region, this.options));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => openPayload(p, this.ring));
  }
}
