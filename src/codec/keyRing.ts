// The codec's key ring: the current key encrypts, every listed key decrypts, so keys rotate without
// breaking running workflows or old histories. EU data has a ring of its own (`eu`), so a worker or
// codec server given only the default ring cannot read it. From CODEC_KEYS (JSON) or CODEC_KEYS_FILE.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const REGIONS_WITH_OWN_KEYS = ['eu'] as const;
export type KeyRegion = 'default' | (typeof REGIONS_WITH_OWN_KEYS)[number];

const keyBytes = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded (AES-256)');

const ringSchema = z
  .object({
    current: z.string().min(1),
    keys: z.record(z.string().regex(/^[\w.-]+$/, 'key ids are letters, digits, _ . -'), keyBytes),
  })
  .refine(
    (r) => r.current in r.keys,
    (r) => ({ message: `current key ${r.current} is not in keys` }),
  );

export const keyRingSchema = ringSchema
  .and(z.object({ eu: ringSchema.optional() }))
  .superRefine((ring, ctx) => {
    const clash = Object.keys(ring.eu?.keys ?? {}).filter((id) => id in ring.keys);
    if (clash.length)
      ctx.addIssue({ code: 'custom', message: `key ids must be unique across rings: ${clash.join(', ')}` });
  });

export type KeyRingJson = z.infer<typeof keyRingSchema>;

export interface KeyRing {
  /** Key id that encrypts each region's payloads (no entry: this ring cannot write that region). */
  current: Partial<Record<KeyRegion, string>>;
  /** Every key that decrypts, by id. */
  keys: Map<string, Buffer>;
}

export function keyRingFrom(json: unknown): KeyRing {
  const parsed = keyRingSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `invalid codec key ring: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(ring)'}: ${i.message}`).join('; ')}`,
    );
  const ring = parsed.data;
  const keys = new Map<string, Buffer>();
  for (const [id, key] of Object.entries({ ...ring.keys, ...ring.eu?.keys }))
    keys.set(id, Buffer.from(key, 'base64'));
  return { current: { default: ring.current, ...(ring.eu ? { eu: ring.eu.current } : {}) }, keys };
}

/** The ring from CODEC_KEYS or CODEC_KEYS_FILE; undefined when neither is set. */
export function keyRingFromEnv(env: NodeJS.ProcessEnv = process.env): KeyRing | undefined {
  if (env.CODEC_KEYS && env.CODEC_KEYS_FILE)
    throw new Error('CODEC_KEYS and CODEC_KEYS_FILE are both set; set only one');
  let text = env.CODEC_KEYS;
  if (env.CODEC_KEYS_FILE) {
    try {
      text = readFileSync(env.CODEC_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new Error(
        `CODEC_KEYS_FILE=${env.CODEC_KEYS_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (text === undefined || text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${env.CODEC_KEYS_FILE ? 'CODEC_KEYS_FILE' : 'CODEC_KEYS'} is not JSON`);
  }
  return keyRingFrom(json);
}

/** A fresh ring (one default and one EU key), for local development and tests. */
export function generateKeyRing(ids = { default: 'local-1', eu: 'local-eu-1' }): KeyRingJson {
  const key = () => randomBytes(32).toString('base64');
  return {
    current: ids.default,
    keys: { [ids.default]: key() },
    eu: { current: ids.eu, keys: { [ids.eu]: key() } },
  };
}
