// How an e-mail address is named outside the worker's configuration: a sha256 key (lower-cased, so
// `A@x.com` and `a@x.com` are one address) and a masked hint people can recognise. The suppression
// list holds only these, so no address enters a workflow history.
import { createHash } from 'node:crypto';

export function addressKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex');
}

export function addressHint(address: string): string {
  const [local = '', domain = ''] = address.trim().toLowerCase().split('@');
  return `${local.slice(0, 1)}…@${domain}`;
}
