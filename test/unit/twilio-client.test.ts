// The Twilio client (the official `twilio` package pointed at the simulator) and the simulator's
// wire: Messaging Service sends, Twilio's error codes as retry decisions, the status machine on the
// test clock with signed status callbacks, and the usage records the spend guard reads.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio';
import type { HttpSimulator } from '../../simulators/kit/http-simulator';
import { createLocalCa, type LocalCa } from '../../simulators/kit/local-ca';
import { startTwilioSimulator, TWILIO_SIM } from '../../simulators/twilio/server';
import type { TwilioState } from '../../simulators/twilio/state';
import { VendorError } from '../../src/vendors/errors';
import { redactPhoneNumbers, TwilioClient, twilioError } from '../../src/vendors/twilio';
import { eventually } from '../helpers/waitFor';
import { fetchWith, tempDir } from './simulators/helpers';

describe('Twilio client against the Twilio simulator', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ca: LocalCa;
  let sim: HttpSimulator<TwilioState>;
  let https: ReturnType<typeof fetchWith>;
  let receiver: Server;
  let callbackUrl: string;
  let received: { params: Record<string, string>; valid: boolean }[];

  before(async () => {
    tmp = await tempDir();
    ca = await createLocalCa(tmp.dir);
    // Stands in for the ingress: checks each callback's signature as the ingress does.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const signature = String(req.headers['x-twilio-signature'] ?? '');
        received.push({
          params,
          valid: validateRequest(
            TWILIO_SIM.authToken,
            signature,
            `${callbackUrl.split('/status')[0]}${req.url}`,
            params,
          ),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/status?page=sms-page-1`;
  });
  after(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await tmp.remove();
  });
  beforeEach(async () => {
    received = [];
    sim = await startTwilioSimulator({ port: 0, tls: { ca } });
    https = fetchWith(ca.caPem);
  });
  afterEach(async () => {
    await https.close();
    await sim.close();
  });

  const client = (authToken: string = TWILIO_SIM.authToken) =>
    new TwilioClient({
      apiUrl: sim.url,
      accountSid: TWILIO_SIM.accountSid,
      authToken,
      messagingServiceSid: TWILIO_SIM.messagingServiceSid,
      extraCaPem: ca.caPem,
    });
  const adminPost = (path: string, json: unknown) =>
    https(`${sim.url}/__admin/${path}`, { method: 'POST', json });
  const messages = async () =>
    (await (await https(`${sim.url}/__admin/messages`)).json()) as { status: string; to: string }[];

  it('sends through the Messaging Service: accepted, then queued → sending → sent → delivered, each callback signed', async () => {
    const sent = await client().sendSms('+15551230001', '[CRITICAL] test (ref abc)', callbackUrl);
    assert.match(sent.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(sent.status, 'accepted');
    // A retry right after the send finds it while it is still accepted (not sent yet: no DateSent).
    const accepted = await client().findSent('+15551230001', 'ref abc', new Date(Date.now() - 60_000));
    assert.deepEqual(accepted, { sid: sent.sid, status: 'accepted' });
    await adminPost('clock', { advanceSeconds: 5 });
    assert.deepEqual(
      received.map((r) => r.params.MessageStatus),
      ['queued', 'sending', 'sent', 'delivered'],
    );
    assert.ok(received.every((r) => r.valid && r.params.MessageSid === sent.sid));
    assert.deepEqual(
      (await messages()).map((m) => [m.to, m.status]),
      [['+15551230001', 'delivered']],
    );
    const found = await client().findSent('+15551230001', 'ref abc', new Date(Date.now() - 60_000));
    assert.equal(found?.sid, sent.sid);
    assert.equal(
      await client().findSent('+15551230001', 'ref other', new Date(Date.now() - 60_000)),
      undefined,
    );
  });

  it('an undeliverable handset ends undelivered with error 30003 in the callback', async () => {
    await adminPost('fates', { number: '+15551230002', fate: 'undelivered' });
    await client().sendSms('+15551230002', 'x', callbackUrl);
    await adminPost('clock', { advanceSeconds: 10 });
    const last = received.at(-1)!.params;
    assert.equal(last.MessageStatus, 'undelivered');
    assert.equal(last.ErrorCode, '30003');
  });

  it("maps Twilio's codes: 21211 and 21610 not retried, 20429 rate limited, 20003 credentials", async () => {
    const failure = async (fn: () => Promise<unknown>) => {
      const err = await fn().then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof VendorError);
      assert.ok(!/\+1500555000\d/.test(err.message), `no number in the error: ${err.message}`);
      return { kind: err.kind, code: err.details.code };
    };
    assert.deepEqual(await failure(() => client().sendSms('+15005550001', 'x')), {
      kind: 'invalid',
      code: '21211',
    });
    assert.deepEqual(await failure(() => client().sendSms('+15005550004', 'x')), {
      kind: 'invalid',
      code: '21610',
    });
    assert.deepEqual(await failure(() => client('wrong').sendSms('+15551230001', 'x')), {
      kind: 'auth',
      code: '20003',
    });
    await adminPost('faults', { status: 429, times: 1 });
    assert.deepEqual(await failure(() => client().sendSms('+15551230001', 'x')), {
      kind: 'rate-limited',
      code: '20429',
    });
    assert.equal((await messages()).length, 0, 'nothing was sent');
  });

  it('an error quoting the number (21211) carries it masked: failure text goes into histories', async () => {
    const err = await client()
      .sendSms('+15005550001', 'x')
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e as VendorError,
      );
    assert.match(err.message, /21211 The 'To' number \[number\] is not a valid phone number/);
    assert.ok(!err.message.includes('5005550001'), err.message);
    const raw = { status: 400, code: 21211, message: "The 'To' number +447700900123 is invalid" };
    assert.equal(twilioError(raw).message.includes('447700900123'), false);
    assert.equal(
      redactPhoneNumbers('to +15551230001, 15551230002 and SM0123456789abcdef0123456789abcdef (21610)'),
      'to [number], [number] and SM0123456789abcdef0123456789abcdef (21610)',
    );
  });

  it("today's usage counts sent messages and the account's other SMS; the digest tally splits them by outcome", async () => {
    await adminPost('fates', { number: '+15551230002', fate: 'failed' });
    await client().sendSms('+15551230001', 'x');
    await client().sendSms('+15551230002', 'y');
    assert.deepEqual(await client().smsUsageToday(), { count: 0, spent: 0, currency: 'USD' });
    await adminPost('clock', { advanceSeconds: 5 });
    await adminPost('usage', { count: 100, price: 0.79 });
    const usage = await client().smsUsageToday();
    assert.equal(usage.count, 102);
    assert.ok(Math.abs(usage.spent - (0.79 + 2 * 0.0079)) < 1e-6, `spent ${usage.spent}`);
    const tally = await client().messagesSince(new Date(Date.now() - 60_000));
    assert.deepEqual(
      { ...tally, spent: Number(tally.spent.toFixed(4)) },
      { sent: 2, delivered: 1, undelivered: 0, failed: 1, spent: 0.0158, currency: 'USD' },
    );
    assert.deepEqual(await client().account(), { status: 'active' });
  });

  it('under npm start the clock runs by itself: a message reaches delivered and its callbacks go out', async () => {
    const live = await startTwilioSimulator({ port: 0, tls: { ca }, clock: 'real' });
    try {
      const liveClient = new TwilioClient({
        apiUrl: live.url,
        accountSid: TWILIO_SIM.accountSid,
        authToken: TWILIO_SIM.authToken,
        messagingServiceSid: TWILIO_SIM.messagingServiceSid,
        extraCaPem: ca.caPem,
      });
      const sent = await liveClient.sendSms('+15551230001', 'live', callbackUrl);
      await eventually(
        async () => received.map((r) => r.params.MessageStatus),
        (statuses) => statuses.includes('delivered'),
        { what: 'the delivered callback' },
      );
      assert.ok(received.every((r) => r.valid && r.params.MessageSid === sent.sid));
    } finally {
      await live.close();
    }
  });
});
