// Test helpers for the simulator tests: temp dirs, fetch over the local CA, raw TLS peer certificates.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent } from 'undici';

export async function tempDir(prefix = 'sim-test-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type Fetch = (
  url: string,
  init?: RequestInit & { json?: unknown; form?: Record<string, string> },
) => Promise<Response>;

/**
 * Global fetch through an undici Agent that trusts `caPem` (or nothing extra), with json/form
 * shorthands. `insecure` skips verification: the way to reach /__admin once a certificate has expired.
 */
export function fetchWith(caPem?: string, insecure = false): Fetch & { close(): Promise<void> } {
  const dispatcher = new Agent({
    connect: { ...(caPem && { ca: caPem }), ...(insecure && { rejectUnauthorized: false }) },
  });
  const fn = async (
    url: string,
    init: RequestInit & { json?: unknown; form?: Record<string, string> } = {},
  ) => {
    const { json, form, ...rest } = init;
    const headers = new Headers(rest.headers);
    let body = rest.body;
    if (json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(form).toString();
    }
    const method = rest.method ?? (body === undefined ? 'GET' : 'POST');
    return fetch(url, { ...rest, method, headers, body, ...({ dispatcher } as object) });
  };
  return Object.assign(fn, { close: () => dispatcher.close() });
}

export interface PeerCertificate {
  validTo: Date;
  serialNumber: string;
  subjectaltname?: string;
  authorized: boolean;
  authorizationError?: string;
}

/** One fresh TLS handshake (SNI localhost) and the certificate it saw; never rejects on trust. */
export function peerCertificate(url: string, caPem?: string): Promise<PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port: Number(port), servername: hostname, ca: caPem, rejectUnauthorized: false },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolve({
          validTo: new Date(cert.valid_to),
          serialNumber: cert.serialNumber,
          subjectaltname: cert.subjectaltname,
          authorized: socket.authorized,
          authorizationError: socket.authorizationError?.toString(),
        });
      },
    );
    socket.on('error', reject);
  });
}

/** A verified handshake (rejectUnauthorized true): resolves on success, rejects with the TLS error. */
export function verifiedHandshake(
  port: number,
  caPem: string | undefined,
  servername = 'localhost',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: caPem }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

export const DAY_MS = 24 * 60 * 60 * 1000;
