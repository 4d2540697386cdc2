// The people-facing interface of certificateRenewal: each action exists as a signal (the Web UI
// sends these) and as an update of the same name (the CLI uses these and gets a validated reply).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RenewalStatus } from './state';

export interface AcknowledgeArgs {
  who: string;
  note?: string;
}
export interface EscalateNowArgs {
  who: string;
  reason: string;
}
export interface SnoozeArgs {
  who: string;
  /** ISO date-time; bounded by the next ladder step. */
  until: string;
}
export interface RenewedArgs {
  who: string;
}
export interface CabDecisionArgs {
  approved: boolean;
  who: string;
  note?: string;
}
export interface CancelArgs {
  who: string;
  reason: string;
}

/** One action with its arguments, as the renewal's state takes it once the schema let it in. */
export type RenewalAction =
  | { name: 'acknowledge'; args: AcknowledgeArgs }
  | { name: 'escalateNow'; args: EscalateNowArgs }
  | { name: 'snooze'; args: SnoozeArgs }
  | { name: 'renewed'; args: RenewedArgs }
  | { name: 'cabDecision'; args: CabDecisionArgs }
  | { name: 'cancel'; args: CancelArgs };

export interface ActionReply {
  accepted: true;
  detail: string;
}

function both<A>(name: string) {
  return { signal: defineSignal<[A]>(name), update: defineUpdate<ActionReply, [A]>(name) };
}

export const renewalActions = {
  acknowledge: both<AcknowledgeArgs>('acknowledge'),
  escalateNow: both<EscalateNowArgs>('escalateNow'),
  snooze: both<SnoozeArgs>('snooze'),
  renewed: both<RenewedArgs>('renewed'),
  cabDecision: both<CabDecisionArgs>('cabDecision'),
  cancel: both<CancelArgs>('cancel'),
};

export type RenewalActionName = keyof typeof renewalActions;

export const renewalStatus = defineQuery<RenewalStatus>('status');

export function certificateRenewalWorkflowId(host: string): string {
  return `certificate-renewal-${host.toLowerCase()}`;
}
