import assert from 'node:assert/strict';
import { LogLevel, WebClient } from '@slack/web-api';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { startSlackSimulator, type SlackState } from '../../../simulators/slack/server';
import { fetchWith } from './helpers';

type SlackResponse = { ok: boolean; error?: string; ts?: string; channel?: string; [k: string]: unknown };

describe('simulators/slack', () => {
  let sim: HttpSimulator<SlackState>;
  const http = fetchWith();
  const auth = { authorization: 'Bearer xoxb-sim-token' };
  const call = async (method: string, init: Parameters<typeof http>[1]) =>
    (await (await http(`${sim.url}/api/${method}`, init)).json()) as SlackResponse;

  beforeEach(async () => {
    sim = await startSlackSimulator({ port: 0, channels: ['C0OPS', 'integration-ops'] });
  });
  afterEach(() => sim.close());
  after(() => http.close());

  it('answers bad and missing tokens with HTTP 200 ok:false', async () => {
    const bad = await http(`${sim.url}/api/auth.test`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-nope' },
    });
    assert.equal(bad.status, 200);
    assert.deepEqual(await bad.json(), { ok: false, error: 'invalid_auth' });
    assert.deepEqual(await call('chat.postMessage', { form: { channel: 'C0OPS', text: 'x' } }), {
      ok: false,
      error: 'not_authed',
    });
    const good = await call('auth.test', { form: { token: 'xoxb-sim-token' } });
    assert.equal(good.ok, true);
    assert.equal(good.user_id, 'U0SIMBOT01');
  });

  it('posts from form bodies (blocks as a JSON string) and JSON bodies, with increasing ts', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const a = await call('chat.postMessage', {
      headers: auth,
      form: { channel: '#integration-ops', text: 'fallback', blocks: JSON.stringify(blocks) },
    });
    const b = await call('chat.postMessage', { headers: auth, json: { channel: 'C0OPS', text: 'second' } });
    assert.equal(a.ok, true);
    assert.equal(a.channel, 'integration-ops');
    assert.equal(typeof a.ts, 'string');
    assert.match(a.ts ?? '', /^\d+\.\d{6}$/);
    assert.ok(Number(b.ts) > Number(a.ts), 'ts increases');
    const messages = (await (await http(`${sim.url}/__admin/messages`)).json()) as Record<string, unknown>[];
    assert.deepEqual(
      messages.map((m) => [m.channel, m.text, m.blocks, m.ts]),
      [
        ['integration-ops', 'fallback', blocks, a.ts],
        ['C0OPS', 'second', undefined, b.ts],
      ],
    );
    const history = await call('conversations.history', { headers: auth, form: { channel: 'C0OPS' } });
    assert.deepEqual(
      (history.messages as { text: string }[]).map((m) => m.text),
      ['second'],
    );
  });

  it('reports channel_not_found, invalid_blocks and no_text', async () => {
    const post = (form: Record<string, string>) => call('chat.postMessage', { headers: auth, form });
    assert.equal((await post({ channel: 'C0NOPE', text: 'x' })).error, 'channel_not_found');
    const invalid = await post({ channel: 'C0OPS', blocks: '[{"text":"no type"}]' });
    assert.equal(invalid.error, 'invalid_blocks');
    assert.ok(Array.isArray(invalid.errors));
    assert.equal((await post({ channel: 'C0OPS', blocks: 'not json' })).error, 'invalid_blocks');
    assert.equal((await post({ channel: 'C0OPS' })).error, 'no_text');
    assert.deepEqual(await (await http(`${sim.url}/__admin/messages`)).json(), []);
  });

  it('rate limits through a 429 fault with Retry-After and {ok:false,error:ratelimited}', async () => {
    await http(`${sim.url}/__admin/faults`, { json: { status: 429, retryAfterSeconds: 3, times: 1 } });
    const limited = await http(`${sim.url}/api/chat.postMessage`, {
      headers: auth,
      json: { channel: 'C0OPS', text: 'x' },
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.deepEqual(await limited.json(), { ok: false, error: 'ratelimited' });
    assert.equal(
      (await call('chat.postMessage', { headers: auth, json: { channel: 'C0OPS', text: 'x' } })).ok,
      true,
    );
  });

  it('works with the official WebClient pointed at ${url}/api/', async () => {
    const client = new WebClient('xoxb-sim-token', {
      slackApiUrl: `${sim.url}/api/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    const posted = await client.chat.postMessage({
      channel: 'C0OPS',
      text: 'from sdk',
      blocks: [{ type: 'section', text: { type: 'plain_text', text: 'from sdk' } }],
    });
    assert.equal(posted.ok, true);
    assert.equal(sim.state.messages[0]?.blocks?.length, 1);

    await http(`${sim.url}/__admin/faults`, { json: { status: 429, retryAfterSeconds: 2, times: 1 } });
    await assert.rejects(
      client.chat.postMessage({ channel: 'C0OPS', text: 'x' }),
      (err: { code?: string; retryAfter?: number }) => {
        assert.equal(err.code, 'slack_webapi_rate_limited_error');
        assert.equal(err.retryAfter, 2);
        return true;
      },
    );
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: `${sim.url}/api/`, retryConfig: { retries: 0 } });
    await assert.rejects(
      bad.auth.test(),
      (err: { data?: { error?: string } }) => err.data?.error === 'invalid_auth',
    );
  });

  it('updates a message (chat.update) and serves users.info and usergroups.users.list', async () => {
    const posted = await call('chat.postMessage', {
      headers: auth,
      form: { channel: 'C0OPS', text: 'before' },
    });
    const updated = await call('chat.update', {
      headers: auth,
      form: { channel: 'C0OPS', ts: posted.ts ?? '', text: 'after', blocks: '[]' },
    });
    assert.equal(updated.ok, true);
    const history = await call('conversations.history', { headers: auth, form: { channel: 'C0OPS' } });
    assert.deepEqual(
      (history.messages as { text: string; ts: string }[]).map((m) => [m.ts, m.text]),
      [[posted.ts, 'after']],
    );
    assert.equal(
      (await call('chat.update', { headers: auth, form: { channel: 'C0OPS', ts: '1.000001', text: 'x' } }))
        .error,
      'message_not_found',
    );
    const dana = await call('users.info', { headers: auth, form: { user: 'U0SIMDANA1' } });
    assert.equal((dana.user as { profile: { display_name: string } }).profile.display_name, 'Dana');
    assert.equal(
      (await call('users.info', { headers: auth, form: { user: 'U0NOBODY' } })).error,
      'user_not_found',
    );
    const cab = await call('usergroups.users.list', { headers: auth, form: { usergroup: 'S0SIMCAB01' } });
    assert.deepEqual(cab.users, ['U0SIMDANA1', 'U0SIMLEE01']);
  });
});
