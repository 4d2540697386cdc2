// What `npm start` and the codec server read: a local ring made once and kept (histories written
// under it stay readable across restarts), variables an operator set win, and the codec server
// refuses to start without its token or its keys.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCodecEnv } from '../../../scripts/local-codec';
import { keyRingFromEnv } from '../../../src/codec/keyRing';
import { codecServerSettings } from '../../../src/codecServer';
import { TEST_KEY_RING } from '../../helpers/codec';

describe('codec settings', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'codec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the local key ring and token once, readable by the owner only, and keeps them', () => {
    const first = localCodecEnv(dir, {});
    const ring = readFileSync(first.CODEC_KEYS_FILE!, 'utf8');
    assert.equal(statSync(first.CODEC_KEYS_FILE!).mode & 0o777, 0o600);
    assert.deepEqual(keyRingFromEnv(first)!.current, { default: 'local-1', eu: 'local-eu-1' });
    const second = localCodecEnv(dir, {});
    assert.equal(readFileSync(second.CODEC_KEYS_FILE!, 'utf8'), ring);
    assert.equal(
      readFileSync(second.CODEC_SERVER_TOKEN_FILE!, 'utf8'),
      readFileSync(first.CODEC_SERVER_TOKEN_FILE!, 'utf8'),
    );
    assert.deepEqual(localCodecEnv(dir, { CODEC_KEYS: '{}', CODEC_SERVER_TOKEN_FILE: '/run/secrets/t' }), {});
  });

  it('refuses to serve without a token or without keys', () => {
    const keys = JSON.stringify(TEST_KEY_RING);
    assert.throws(() => codecServerSettings({ CODEC_KEYS: keys }), /CODEC_SERVER_TOKEN .* is required/);
    assert.throws(() => codecServerSettings({ CODEC_SERVER_TOKEN: 't' }), /CODEC_KEYS .* is required/);
    const settings = codecServerSettings({ CODEC_KEYS: keys, CODEC_SERVER_TOKEN: 't' });
    assert.deepEqual(
      [settings.corsOrigins, settings.port, settings.host],
      [['http://localhost:8233'], 8888, '127.0.0.1'],
    );
  });
});
