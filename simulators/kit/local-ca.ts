// A local certificate authority for the HTTPS simulators: a self-signed root kept in a directory
// (reused across runs so clients can trust one `ca.pem`), and leaf certificates issued on demand
// with the SANs, EKU and expiry a test asks for.
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { ...KEY_ALGORITHM, hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssueOptions {
  /** DNS names and IP addresses for the subjectAltName; the first is also the CN. */
  hosts: string[];
  /** Defaults to one hour ago, or one day before `notAfter` when that is already past. */
  notBefore?: Date;
  notAfter: Date;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface LocalCa {
  /** Path of the CA certificate (PEM); what clients pass as `ca` or NODE_EXTRA_CA_CERTS. */
  caFile: string;
  caPem: string;
  issue(options: IssueOptions): Promise<IssuedCertificate>;
}

type CryptoKeyLike = Parameters<typeof webcrypto.subtle.exportKey>[1];

/** A random positive 128-bit serial, so re-issued certificates never collide. */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKeyLike): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKeyLike> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('CA key file holds no PEM block');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

async function createRoot(): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=Durable Integrations Simulator CA ${new Date(now).toISOString().slice(0, 10)}, O=Simulators`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keyPem: await exportKeyPem(keys.privateKey) };
}

async function loadOrCreateRoot(
  caFile: string,
  keyFile: string,
): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  if (existsSync(caFile) && existsSync(keyFile)) {
    const cert = new x509.X509Certificate(await readFile(caFile, 'utf8'));
    if (cert.notAfter.getTime() > Date.now() + 30 * DAY_MS) {
      return { cert, keyPem: await readFile(keyFile, 'utf8') };
    }
  }
  const root = await createRoot();
  await writeFile(keyFile, root.keyPem, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(caFile, root.cert.toString('pem'));
  return root;
}

/**
 * Creates a root CA in `dir` (`ca.pem`, `ca-key.pem`), or loads the one already there.
 * The key file is written 0600 and before the certificate, so a present `ca.pem` implies a key.
 */
export async function createLocalCa(dir: string): Promise<LocalCa> {
  await mkdir(dir, { recursive: true });
  const caFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca-key.pem');

  const { cert: caCert, keyPem: caKeyPem } = await loadOrCreateRoot(caFile, keyFile);
  const caPem = caCert.toString('pem');
  const caKey = await importKeyPem(caKeyPem);
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caCert, false);

  async function issue({ hosts, notBefore, notAfter }: IssueOptions): Promise<IssuedCertificate> {
    if (hosts.length === 0) throw new Error('issue() needs at least one host');
    const start = notBefore ?? new Date(Math.min(Date.now() - 60 * 60 * 1000, notAfter.getTime() - DAY_MS));
    const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
    const serialNumber = newSerial();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: `CN=${hosts[0]}`,
      issuer: caCert.subject,
      notBefore: start,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          hosts.map((host) => (isIP(host) ? { type: 'ip', value: host } : { type: 'dns', value: host })),
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        authorityKeyId,
      ],
    });
    return {
      certPem: cert.toString('pem'),
      keyPem: await exportKeyPem(keys.privateKey),
      serialNumber,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
    };
  }

  return { caFile, caPem, issue };
}
