// AWS SES v2 simulator: SendEmail (POST /v2/email/outbound-emails) with sandbox mode (unverified
// recipients refused with MessageRejected), a max send rate (TooManyRequestsException "Maximum
// sending rate exceeded") and SES's mailbox-simulator addresses: bounce@ and complaint@
// simulator.amazonses.com (with +labels) publish configuration-set events through SNS to the
// subscribed endpoints, signed with the simulator's key, after the subscription was confirmed.
// Admin: /__admin/ses/{subscribe,sandbox,rate,messages,deliveries}.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Agent } from 'undici';
import {
  startHttpSimulator,
  type HttpSimulator,
  type SimulatorContext,
  type SimulatorTlsOptions,
} from '../kit/http-simulator';
import {
  createSnsSigningKey,
  deliver,
  signSnsMessage,
  type Delivery,
  type SnsFields,
  type SnsSigningKey,
  type Subscription,
} from './sns';

export const SES_SIM_ACCESS_KEY_ID = 'AKIASIMULATOR0000001';
const MAILBOX_SIMULATOR = 'simulator.amazonses.com';
const CERT_PATH = '/SimpleNotificationService-simulator.pem';

export interface SesSimulatorOptions {
  port?: number;
  host?: string;
  tls: SimulatorTlsOptions;
  region?: string;
  /** Sandbox at start (default true): only verified identities and the mailbox simulator receive. */
  sandbox?: boolean;
  verified?: string[];
  /** Messages per second (default 14, SES's production default). */
  maxSendRate?: number;
}

export interface SentEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  configurationSet?: string;
  tags: Record<string, string>;
  at: string;
}

interface SesState {
  sandbox: boolean;
  verified: Set<string>;
  maxSendRate: number;
  sendTimes: number[];
  sent: SentEmail[];
  subscriptions: Subscription[];
  deliveries: Delivery[];
}

interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string } }; Raw?: unknown; Template?: unknown };
  ConfigurationSetName?: string;
  EmailTags?: { Name: string; Value: string }[];
}

function awsError(reply: FastifyReply, status: number, type: string, message: string): FastifyReply {
  return reply.code(status).header('x-amzn-ErrorType', type).send({ __type: type, message });
}

function mailboxKind(address: string): 'bounce' | 'complaint' | undefined {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  if (domain !== MAILBOX_SIMULATOR) return undefined;
  const box = local.split('+')[0];
  return box === 'bounce' || box === 'complaint' ? box : undefined;
}

function verifiedFor(state: SesState, address: string): boolean {
  const a = address.toLowerCase();
  return (
    a.endsWith(`@${MAILBOX_SIMULATOR}`) || state.verified.has(a) || state.verified.has(a.split('@')[1] ?? '')
  );
}

export async function startSesSimulator(options: SesSimulatorOptions): Promise<HttpSimulator<SesState>> {
  const region = options.region ?? 'us-east-1';
  const key: SnsSigningKey = await createSnsSigningKey(`sns.${region}.amazonaws.com`);
  const dispatcher = new Agent({ connect: { ca: options.tls.ca.caPem } });
  const fresh = (): SesState => ({
    sandbox: options.sandbox ?? true,
    verified: new Set((options.verified ?? []).map((v) => v.toLowerCase())),
    maxSendRate: options.maxSendRate ?? 14,
    sendTimes: [],
    sent: [],
    subscriptions: [],
    deliveries: [],
  });

  function publish(ctx: SimulatorContext<SesState>, make: (sub: Subscription) => SnsFields): void {
    for (const sub of ctx.state.subscriptions.filter((s) => s.confirmed)) {
      const signed = signSnsMessage(make(sub), key, `${ctx.url}${CERT_PATH}`, sub.signatureVersion);
      const state = ctx.state;
      void deliver(sub, signed, { dispatcher }, (d) => state.deliveries.push(d));
    }
  }

  /** The configuration-set event SES publishes for a mailbox-simulator recipient. */
  function feedbackEvent(email: SentEmail, address: string, kind: 'bounce' | 'complaint'): string {
    const now = new Date().toISOString();
    const mail = {
      timestamp: email.at,
      source: email.from,
      messageId: email.messageId,
      destination: email.to,
      headersTruncated: false,
      tags: {
        ...Object.fromEntries(Object.entries(email.tags).map(([k, v]) => [k, [v]])),
        ...(email.configurationSet && { 'ses:configuration-set': [email.configurationSet] }),
      },
    };
    if (kind === 'bounce')
      return JSON.stringify({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            {
              emailAddress: address,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            },
          ],
          timestamp: now,
          feedbackId: randomUUID(),
          reportingMTA: 'dns; simulator.amazonses.com',
        },
        mail,
      });
    return JSON.stringify({
      eventType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: address }],
        timestamp: now,
        feedbackId: randomUUID(),
        complaintFeedbackType: 'abuse',
      },
      mail,
    });
  }

  function routes(app: FastifyInstance, ctx: SimulatorContext<SesState>): void {
    app.get(CERT_PATH, async (_request, reply) => reply.type('application/x-pem-file').send(key.certPem));

    app.post('/v2/email/outbound-emails', async (request, reply) => {
      const state = ctx.state;
      const auth = request.headers.authorization ?? '';
      if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${SES_SIM_ACCESS_KEY_ID}/`))
        return awsError(
          reply,
          403,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        );
      const body = (request.body ?? {}) as SendEmailBody;
      const to = body.Destination?.ToAddresses ?? [];
      const all = [
        ...to,
        ...(body.Destination?.CcAddresses ?? []),
        ...(body.Destination?.BccAddresses ?? []),
      ];
      if (!body.FromEmailAddress || all.length === 0 || !body.Content)
        return awsError(
          reply,
          400,
          'BadRequestException',
          'FromEmailAddress, Destination and Content are required.',
        );
      if (all.length > 50) return awsError(reply, 400, 'BadRequestException', 'Recipient count exceeds 50.');
      const now = Date.now();
      state.sendTimes = state.sendTimes.filter((t) => t > now - 1000);
      if (state.sendTimes.length >= state.maxSendRate)
        return awsError(reply, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
      if (state.sandbox) {
        const unverified = [body.FromEmailAddress, ...all].find((a) => !verifiedFor(state, a));
        if (unverified)
          return awsError(
            reply,
            400,
            'MessageRejected',
            `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${unverified}`,
          );
      }
      state.sendTimes.push(now);
      const email: SentEmail = {
        messageId: `0100${now.toString(16)}-${randomUUID()}-000000`,
        from: body.FromEmailAddress,
        to: all,
        subject: body.Content.Simple?.Subject?.Data ?? '',
        configurationSet: body.ConfigurationSetName,
        tags: Object.fromEntries((body.EmailTags ?? []).map((t) => [t.Name, t.Value])),
        at: new Date(now).toISOString(),
      };
      state.sent.push(email);
      for (const address of all) {
        const kind = mailboxKind(address);
        if (!kind) continue;
        setTimeout(
          () =>
            publish(ctx, (sub) => ({
              Type: 'Notification',
              MessageId: randomUUID(),
              TopicArn: sub.topicArn,
              Message: feedbackEvent(email, address, kind),
              Timestamp: new Date().toISOString(),
              UnsubscribeURL: `${ctx.url}/sns/unsubscribe?SubscriptionArn=${encodeURIComponent(sub.subscriptionArn)}`,
            })),
          20,
        );
      }
      return { MessageId: email.messageId };
    });

    // SNS's ConfirmSubscription, as the SubscribeURL calls it.
    app.get('/sns/confirm', async (request, reply) => {
      const q = request.query as { TopicArn?: string; Token?: string };
      const sub = ctx.state.subscriptions.find((s) => s.topicArn === q.TopicArn && s.token === q.Token);
      if (!sub)
        return reply
          .code(404)
          .type('text/xml')
          .send('<ErrorResponse><Error><Code>NotFound</Code></Error></ErrorResponse>');
      sub.confirmed = true;
      return reply
        .type('text/xml')
        .send(
          `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${sub.subscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
        );
    });

    app.post('/__admin/ses/subscribe', async (request) => {
      const b = request.body as { topicArn: string; endpoint: string; signatureVersion?: '1' | '2' };
      const sub: Subscription = {
        subscriptionArn: `${b.topicArn}:${randomUUID()}`,
        topicArn: b.topicArn,
        endpoint: b.endpoint,
        token: randomUUID().replace(/-/g, '').repeat(4),
        confirmed: false,
        signatureVersion: b.signatureVersion ?? '1',
      };
      ctx.state.subscriptions.push(sub);
      const subscribeUrl = `${ctx.url}/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(sub.topicArn)}&Token=${sub.token}`;
      const signed = signSnsMessage(
        {
          Type: 'SubscriptionConfirmation',
          MessageId: randomUUID(),
          TopicArn: sub.topicArn,
          Message: `You have chosen to subscribe to the topic ${sub.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
          Timestamp: new Date().toISOString(),
          SubscribeURL: subscribeUrl,
          Token: sub.token,
        },
        key,
        `${ctx.url}${CERT_PATH}`,
        sub.signatureVersion,
      );
      const state = ctx.state;
      void deliver(sub, signed, { dispatcher }, (d) => state.deliveries.push(d));
      return { subscriptionArn: sub.subscriptionArn };
    });
    // Publishes any SES event (e.g. a transient bounce) to the confirmed subscriptions; answers with
    // the signed messages once delivered, so a test can deliver one again (a replay).
    app.post('/__admin/ses/publish', async (request) => {
      const event = (request.body as { event: unknown }).event;
      const state = ctx.state;
      const signed = state.subscriptions
        .filter((s) => s.confirmed)
        .map((sub) => ({
          sub,
          message: signSnsMessage(
            {
              Type: 'Notification',
              MessageId: randomUUID(),
              TopicArn: sub.topicArn,
              Message: JSON.stringify(event),
              Timestamp: new Date().toISOString(),
            },
            key,
            `${ctx.url}${CERT_PATH}`,
            sub.signatureVersion,
          ),
        }));
      await Promise.all(
        signed.map(({ sub, message }) =>
          deliver(sub, message, { dispatcher }, (d) => state.deliveries.push(d)),
        ),
      );
      return signed.map((s) => s.message);
    });
    app.get('/__admin/ses/subscriptions', async () => ctx.state.subscriptions);
    app.post('/__admin/ses/sandbox', async (request) => {
      const b = request.body as { enabled?: boolean; verified?: string[] };
      if (b.enabled !== undefined) ctx.state.sandbox = b.enabled;
      for (const v of b.verified ?? []) ctx.state.verified.add(v.toLowerCase());
      return { sandbox: ctx.state.sandbox, verified: [...ctx.state.verified] };
    });
    app.post('/__admin/ses/rate', async (request) => {
      ctx.state.maxSendRate = (request.body as { maxSendRate: number }).maxSendRate;
      return { maxSendRate: ctx.state.maxSendRate };
    });
    app.get('/__admin/ses/messages', async () => ctx.state.sent);
    app.get('/__admin/ses/deliveries', async () => ctx.state.deliveries);
  }

  return startHttpSimulator<SesState>({
    name: 'ses',
    port: options.port,
    host: options.host,
    tls: options.tls,
    createState: fresh,
    faultBody: (_status, message) => ({ message }),
    routes,
  });
}
