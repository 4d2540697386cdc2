// SMTP simulator: a real SMTP server (STARTTLS with a certificate from the local CA, AUTH
// PLAIN/LOGIN) that records every message it accepts, as an SES SMTP endpoint would relay it.
// Messages and faults are inspected and injected over the HTTPS admin API of the simulator kit.
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { startHttpSimulator, type HttpSimulator } from '../kit/http-simulator';
import type { LocalCa } from '../kit/local-ca';

export interface RecordedEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  receivedAt: string;
}

interface SmtpState {
  messages: RecordedEmail[];
  /** Reply to the next N messages with this SMTP code (4xx transient, 5xx permanent). */
  fault?: { code: number; remaining: number };
}

export interface SmtpSimulator {
  /** HTTPS admin API: GET /__admin/messages, POST /__admin/smtp-fault {code, times}. */
  admin: HttpSimulator<SmtpState>;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startSmtpSimulator(options: {
  ca: LocalCa;
  port?: number;
  adminPort?: number;
  user?: string;
  password?: string;
}): Promise<SmtpSimulator> {
  const user = options.user ?? 'sim-smtp';
  const password = options.password ?? 'sim-smtp-password';
  const admin = await startHttpSimulator<SmtpState>({
    name: 'smtp',
    port: options.adminPort ?? 0,
    tls: { ca: options.ca },
    createState: () => ({ messages: [] }),
    faultBody: (status, message) => ({ error: message, status }),
    routes(app, ctx) {
      app.get('/__admin/messages', async () => ctx.state.messages);
      app.post<{ Body: { code?: number; times?: number } }>('/__admin/smtp-fault', async (request) => {
        const code = Number(request.body?.code ?? 451);
        ctx.state.fault = { code, remaining: Number(request.body?.times ?? Number.MAX_SAFE_INTEGER) };
        return { code, times: ctx.state.fault.remaining };
      });
    },
  });
  const issued = await options.ca.issue({
    hosts: ['localhost', '127.0.0.1'],
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  });
  const server = new SMTPServer({
    key: issued.keyPem,
    cert: issued.certPem,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const fault = admin.state.fault;
      if (fault && fault.remaining > 0) {
        fault.remaining--;
        stream.resume();
        stream.once('end', () =>
          callback(Object.assign(new Error(`${fault.code} simulated failure`), { responseCode: fault.code })),
        );
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          admin.state.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    admin,
    host: 'localhost',
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.close();
    },
  };
}
