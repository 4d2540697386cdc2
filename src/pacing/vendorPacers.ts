// The process's pacer per vendor: every request to a budgeted vendor takes its turn here first
// (in vendorFetch, token requests included; Slack's chat.postMessage and Teams' Graph calls in their
// clients, whose SDKs do not use vendorFetch).
// One map per process because a budget's share is the process's: the worker group fills it.
import type { RequestPacer } from './requestPacer';

const pacers = new Map<string, RequestPacer>();

export function paceVendor(vendor: string, pacer: RequestPacer): void {
  pacers.set(vendor, pacer);
}

/** Resolves when a request to `vendor` may go (at once for a vendor without a budget). */
export async function vendorTurn(vendor: string): Promise<void> {
  await pacers.get(vendor)?.take();
}
