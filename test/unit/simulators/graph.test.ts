import assert from 'node:assert/strict';
import { Client } from '@microsoft/microsoft-graph-client';
import { Agent } from 'undici';
import { startGraphSimulator, type GraphState } from '../../../simulators/graph/server';
import type { HttpSimulator } from '../../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../../simulators/kit/local-ca';
import { fetchWith, tempDir } from './helpers';

type GraphError = { error: { code: string; message: string; innerError: Record<string, string> } };

const CARD = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.4',
  body: [{ type: 'TextBlock', text: 'Incident INC0010002' }],
};

function cardMessage(id = '74d20c7f34aa4a7fb74e2b30004247c5', referencedId = id) {
  return {
    body: { contentType: 'html', content: `<p>Alert</p><attachment id="${referencedId}"></attachment>` },
    attachments: [
      {
        id,
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: JSON.stringify(CARD),
      },
    ],
  };
}

describe('simulators/graph', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  let sim: HttpSimulator<GraphState>;
  let https: ReturnType<typeof fetchWith>;
  const channel = '/v1.0/teams/team-1/channels/19:abc@thread.tacv2/messages';

  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
  });
  after(() => tmp.remove());
  beforeEach(async () => {
    sim = await startGraphSimulator({ port: 0, tls: { ca } });
    https = fetchWith(ca.caPem);
  });
  afterEach(async () => {
    await https.close();
    await sim.close();
  });

  async function token(form: Record<string, string> = {}): Promise<Response> {
    return https(`${sim.url}/sim-tenant/oauth2/v2.0/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: 'sim-client',
        client_secret: 'sim-secret',
        scope: 'https://graph.microsoft.com/.default',
        ...form,
      },
    });
  }

  async function accessToken(): Promise<string> {
    return ((await (await token()).json()) as { access_token: string }).access_token;
  }

  async function bearer(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await accessToken()}` };
  }

  it('issues client-credentials tokens and rejects bad secrets and scopes in the Entra shape', async () => {
    const ok = await token();
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    assert.equal(typeof body.access_token, 'string');

    const badSecret = await token({ client_secret: 'wrong' });
    assert.equal(badSecret.status, 401);
    const err = (await badSecret.json()) as {
      error: string;
      error_codes: number[];
      error_description: string;
    };
    assert.equal(err.error, 'invalid_client');
    assert.deepEqual(err.error_codes, [7000215]);
    assert.match(err.error_description, /^AADSTS7000215:/);
    assert.equal(
      ((await (await token({ scope: 'User.Read' })).json()) as { error: string }).error,
      'invalid_scope',
    );
    const wrongTenant = await https(`${sim.url}/other/oauth2/v2.0/token`, {
      form: { grant_type: 'client_credentials' },
    });
    assert.equal(wrongTenant.status, 400);
  });

  it('exchanges the configured refresh token for a delegated token and a new refresh token', async () => {
    const scope = 'https://graph.microsoft.com/ChannelMessage.Send offline_access';
    const r = await token({ grant_type: 'refresh_token', refresh_token: 'sim-refresh-token', scope });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { access_token: string; refresh_token: string; scope: string };
    assert.equal(body.scope, 'https://graph.microsoft.com/ChannelMessage.Send');
    const again = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token, scope });
    assert.equal(again.status, 200);
    const bad = await token({ grant_type: 'refresh_token', refresh_token: 'nope', scope });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_grant');

    const posted = await https(`${sim.url}${channel}`, {
      headers: { authorization: `Bearer ${body.access_token}` },
      json: { body: { contentType: 'text', content: 'hi' } },
    });
    assert.equal(posted.status, 201);
    const message = (await posted.json()) as { from: { user: { userIdentityType: string } } };
    assert.equal(message.from.user.userIdentityType, 'aadUser');
  });

  it('posts an Adaptive Card message (201 chatMessage) and lists it through the read API', async () => {
    const headers = await bearer();
    const posted = await https(`${sim.url}${channel}`, { headers, json: cardMessage() });
    assert.equal(posted.status, 201);
    const message = (await posted.json()) as Record<string, unknown> & {
      id: string;
      attachments: { id: string; content: string }[];
      channelIdentity: { teamId: string; channelId: string };
    };
    assert.match(message.id, /^\d+$/);
    assert.equal(message.messageType, 'message');
    assert.ok(!Number.isNaN(Date.parse(String(message.createdDateTime))));
    assert.match(String(message['@odata.context']), /\$metadata#teams\('team-1'\)/);
    assert.deepEqual(message.channelIdentity, { teamId: 'team-1', channelId: '19:abc@thread.tacv2' });
    assert.deepEqual(JSON.parse(message.attachments[0]?.content ?? ''), CARD);

    const reply = await https(`${sim.url}${channel}/${message.id}/replies`, {
      headers,
      json: { body: { contentType: 'text', content: 'a reply' } },
    });
    assert.equal(reply.status, 201);

    const list = (await (await https(`${sim.url}${channel}`, { headers })).json()) as {
      value: { id: string; replyToId: string | null }[];
    };
    assert.deepEqual(
      list.value.map((m) => m.id),
      [message.id],
    );
    const one = await https(`${sim.url}${channel}/${message.id}`, { headers });
    assert.equal(((await one.json()) as { id: string }).id, message.id);
    const admin = (await (await https(`${sim.url}/__admin/messages`)).json()) as unknown[];
    assert.equal(admin.length, 2);
  });

  it('validates the message body as Graph does', async () => {
    const headers = await bearer();
    const post = async (json: unknown) => {
      const r = await https(`${sim.url}${channel}`, { headers, json });
      return { status: r.status, body: (await r.json()) as GraphError };
    };
    const unreferenced = await post(cardMessage('a1', 'b2'));
    assert.equal(unreferenced.status, 400);
    assert.equal(unreferenced.body.error.code, 'BadRequest');
    assert.ok(unreferenced.body.error.innerError['request-id']);
    assert.ok(unreferenced.body.error.innerError.date);
    const objectContent = cardMessage();
    (objectContent.attachments[0] as { content: unknown }).content = CARD;
    assert.equal((await post(objectContent)).status, 400);
    assert.equal((await post({ body: { contentType: 'markdown', content: 'x' } })).status, 400);
    assert.equal((await post({ body: { contentType: 'text' } })).status, 400);
    const notCard = cardMessage();
    notCard.attachments[0]!.content = JSON.stringify({ type: 'HeroCard' });
    assert.equal((await post(notCard)).status, 400);
  });

  it('requires a valid bearer token', async () => {
    const none = await https(`${sim.url}${channel}`, { json: cardMessage() });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as GraphError).error.code, 'InvalidAuthenticationToken');
    const forged = await https(`${sim.url}${channel}`, {
      headers: { authorization: 'Bearer forged' },
      json: cardMessage(),
    });
    assert.equal(forged.status, 401);

    const headers = await bearer();
    await https(`${sim.url}/__admin/revoke-access-tokens`, { method: 'POST' });
    assert.equal((await https(`${sim.url}${channel}`, { headers, json: cardMessage() })).status, 401);
  });

  it('throttles with 429 TooManyRequests and Retry-After, then recovers', async () => {
    const headers = await bearer();
    await https(`${sim.url}/__admin/faults`, {
      json: { status: 429, retryAfterSeconds: 2.128, times: 1, path: '/v1.0/' },
    });
    const throttled = await https(`${sim.url}${channel}`, { headers, json: cardMessage() });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '2.128');
    const body = (await throttled.json()) as GraphError;
    assert.equal(body.error.code, 'TooManyRequests');
    assert.equal(body.error.innerError.status, '429');
    assert.equal((await https(`${sim.url}${channel}`, { headers, json: cardMessage() })).status, 201);
  });

  it('can reject app-only tokens for posting, as real Graph does outside migration mode', async () => {
    await sim.close();
    sim = await startGraphSimulator({ port: 0, tls: { ca }, appOnlyPosting: 'reject' });
    const r = await https(`${sim.url}${channel}`, { headers: await bearer(), json: cardMessage() });
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as GraphError).error.code, 'Forbidden');
  });

  it('works with the official Graph client over https://localhost with customHosts', async () => {
    const value = await accessToken();
    const dispatcher = new Agent({ connect: { ca: ca.caPem } });
    const client = Client.init({
      authProvider: (done) => done(null, value),
      baseUrl: `${sim.url}/`,
      customHosts: new Set(['localhost']),
      fetchOptions: { dispatcher },
    });
    try {
      const created = (await client.api(channel.replace('/v1.0', '')).post(cardMessage())) as { id: string };
      const list = (await client.api(channel.replace('/v1.0', '')).get()) as { value: { id: string }[] };
      assert.equal(list.value[0]?.id, created.id);
    } finally {
      await dispatcher.close();
    }
  });
});
