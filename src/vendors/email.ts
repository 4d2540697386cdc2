// Email over SMTP (nodemailer). In production this is the SES SMTP endpoint; STARTTLS is
// required and the server certificate is verified like every other TLS connection.
import nodemailer, { type Transporter } from 'nodemailer';
import { trustedCas } from './https';
import { VendorError } from './errors';

export interface EmailClientOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  from: string;
  extraCaPem?: string;
}

export class EmailClient {
  private readonly transport: Transporter;

  constructor(private readonly options: EmailClientOptions) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.port === 465,
      requireTLS: options.port !== 465,
      auth: { user: options.user, pass: options.password },
      tls: { ca: trustedCas(options.extraCaPem), servername: options.host },
      connectionTimeout: 15_000,
    });
  }

  async send({
    to,
    subject,
    text,
  }: {
    to: string[];
    subject: string;
    text: string;
  }): Promise<{ messageId: string }> {
    try {
      const info = (await this.transport.sendMail({ from: this.options.from, to, subject, text })) as {
        messageId: string;
      };
      return { messageId: info.messageId };
    } catch (err) {
      const {
        responseCode,
        code,
        message: text,
      } = err as { responseCode?: number; code?: string; message: string };
      if (responseCode === 535 || code === 'EAUTH')
        throw new VendorError('email', 'auth', text, { status: responseCode });
      if (responseCode && responseCode >= 500)
        throw new VendorError('email', 'invalid', text, { status: responseCode });
      throw new VendorError('email', 'unavailable', text, { status: responseCode, code });
    }
  }
}
