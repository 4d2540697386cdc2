// The payload codec as a security review reads it: what the stored bytes reveal, which key each
// payload gets, rotation, missing keys named, tampering refused, old plain payloads passed through.
import assert from 'node:assert/strict';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, KEY_ID, COMPRESSION } from '../../../src/codec/encryptionCodec';
import { keyRingFrom, keyRingFromEnv } from '../../../src/codec/keyRing';
import { TEST_KEY_RING, testRing } from '../../helpers/codec';

const codec = (ring = TEST_KEY_RING, compressAbove?: number) =>
  new EncryptionCodec(keyRingFrom(ring), { compressAbove });
const employee = {
  first_name: 'Ingrid',
  last_name: 'Bergström',
  company_email: 'ingrid.bergstrom@example.eu',
};
const payloadOf = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const valueOf = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const meta = (p: Payload, key: string) => Buffer.from(p.metadata![key]!).toString();
const euQueue = { type: 'workflow', namespace: 'default', workflowId: 'dlq-erpnext-eu' } as const;
const usQueue = { type: 'workflow', namespace: 'default', workflowId: 'dlq-erpnext' } as const;
const bytesOf = (p: Payload) =>
  Buffer.concat([Buffer.from(p.data!), ...Object.values(p.metadata!).map((v) => Buffer.from(v!))]);

describe('payload codec (AES-256-GCM)', () => {
  it('stores nothing readable and reads it back', async () => {
    const [sealed] = await codec().encode([payloadOf(employee)], usQueue);
    for (const word of ['Ingrid', 'Bergstr', 'example.eu', 'json/plain'])
      assert.ok(!bytesOf(sealed!).includes(word), `${word} is readable in the stored payload`);
    assert.equal(meta(sealed!, 'encoding'), 'binary/encrypted');
    assert.equal(meta(sealed!, KEY_ID), 'test-2');
    const [opened] = await codec().decode([sealed!]);
    assert.deepEqual(valueOf(opened!), employee);
  });

  it('uses a fresh nonce per payload: the same value never gives the same bytes', async () => {
    const [a, b] = await codec().encode([payloadOf(employee), payloadOf(employee)]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
    assert.notDeepEqual(Buffer.from(a!.data!).subarray(0, 12), Buffer.from(b!.data!).subarray(0, 12));
  });

  it('gzips large payloads before encrypting, and says so in the metadata', async () => {
    const large = { rows: Array.from({ length: 500 }, (_, i) => ({ ...employee, n: i })) };
    const [small, big] = await codec().encode([payloadOf(employee), payloadOf(large)]);
    assert.equal(meta(small!, COMPRESSION), 'none');
    assert.equal(meta(big!, COMPRESSION), 'gzip');
    assert.ok(big!.data!.length < payloadOf(large).data!.length / 5, 'compressed');
    assert.deepEqual(valueOf((await codec().decode([big!]))[0]!), large);
  });

  it('refuses a payload whose metadata or bytes were altered', async () => {
    const [sealed] = await codec(TEST_KEY_RING, 0).encode([payloadOf(employee)]);
    const flipped = { ...sealed!, metadata: { ...sealed!.metadata, [COMPRESSION]: Buffer.from('none') } };
    await assert.rejects(codec().decode([flipped]), /key test-2 failed authentication/);
    const data = Buffer.from(sealed!.data!);
    data[20]! ^= 1;
    await assert.rejects(codec().decode([{ ...sealed!, data }]), /failed authentication/);
  });

  it('passes payloads recorded without the codec through unchanged', async () => {
    const plain = payloadOf({ file: 'workers.csv' });
    assert.deepEqual(await codec().decode([plain]), [plain]);
  });

  it('rotates: the current key encrypts, every listed key decrypts, a removed key is named', async () => {
    const [underK1] = await codec(testRing({ current: 'test-1' })).encode([payloadOf(employee)]);
    assert.equal(meta(underK1!, KEY_ID), 'test-1');
    const rotated = codec(testRing({ current: 'test-2' }));
    assert.deepEqual(valueOf((await rotated.decode([underK1!]))[0]!), employee);
    assert.equal(meta((await rotated.encode([payloadOf(1)]))[0]!, KEY_ID), 'test-2');
    await assert.rejects(
      codec(testRing({ drop: ['test-1'] })).decode([underK1!]),
      /payload encrypted with key test-1, which is not in this codec key ring/,
    );
  });

  it("encrypts the EU dead-letter queue's payloads with the EU key; a ring without it cannot read them", async () => {
    const [eu] = await codec().encode([payloadOf(employee)], euQueue);
    assert.equal(meta(eu!, KEY_ID), 'test-eu-1');
    const activity = {
      type: 'activity',
      namespace: 'default',
      workflowId: 'dlq-erpnext-eu',
      isLocal: false,
    } as const;
    assert.equal(meta((await codec().encode([payloadOf(employee)], activity))[0]!, KEY_ID), 'test-eu-1');
    const nonEu = codec(testRing({ withoutEu: true }));
    await assert.rejects(nonEu.decode([eu!]), /key test-eu-1, which is not in this codec key ring/);
    await assert.rejects(
      nonEu.encode([payloadOf(employee)], euQueue),
      /no eu key: dlq-erpnext-eu holds EU data/,
    );
  });
});

describe('codec key ring', () => {
  it('names what is wrong with a ring', () => {
    assert.throws(
      () => keyRingFrom({ current: 'k3', keys: { k1: Buffer.alloc(16).toString('base64') } }),
      /keys\.k1: must be 32 bytes.*current key k3 is not in keys/s,
    );
    const key = Buffer.alloc(32).toString('base64');
    assert.throws(
      () => keyRingFrom({ current: 'k1', keys: { k1: key }, eu: { current: 'k1', keys: { k1: key } } }),
      /unique across rings: k1/,
    );
  });

  it('reads CODEC_KEYS, refuses both it and CODEC_KEYS_FILE, and is absent when neither is set', () => {
    assert.equal(keyRingFromEnv({}), undefined);
    assert.deepEqual(keyRingFromEnv({ CODEC_KEYS: JSON.stringify(TEST_KEY_RING) })!.current, {
      default: 'test-2',
      eu: 'test-eu-1',
    });
    assert.throws(() => keyRingFromEnv({ CODEC_KEYS: '{}', CODEC_KEYS_FILE: '/x' }), /both set/);
    assert.throws(
      () => keyRingFromEnv({ CODEC_KEYS_FILE: '/nonexistent/keys.json' }),
      /cannot be read \(ENOENT\)/,
    );
  });
});
