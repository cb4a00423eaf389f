import type { EventStatus } from '../types';

export interface StatusInfo {
  label: string;
  /** What it means, in one sentence, for the chip's tooltip and the event page. */
  help: string;
  color: string;
  /** MUI chip color family. */
  chip: 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info';
}

/** One colour and one explanation per status, used by chips, charts and legends alike. */
export const STATUS: Record<EventStatus, StatusInfo> = {
  queued: { label: 'Queued', help: 'Stored and waiting to be sent to Meta.', color: '#1976d2', chip: 'info' },
  sending: { label: 'Sending', help: 'Being sent to Meta right now.', color: '#0288d1', chip: 'info' },
  delivered: { label: 'Delivered', help: 'Meta accepted the event.', color: '#2e7d32', chip: 'success' },
  retrying: { label: 'Retrying', help: 'A temporary problem (network, Meta busy); it will be sent again automatically.', color: '#ed6c02', chip: 'warning' },
  failed: { label: 'Failed', help: 'Meta rejected the event (see the error). Fix the cause, then retry it.', color: '#d32f2f', chip: 'error' },
  not_delivered: { label: 'Not delivered', help: 'Every automatic attempt failed. Retry it once the problem is fixed.', color: '#8e0000', chip: 'error' },
  skipped: { label: 'Skipped', help: 'The event type was switched off when it arrived, so it was stored but not sent.', color: '#757575', chip: 'default' },
  expired: { label: 'Expired', help: 'Older than the 7 days Meta accepts; it can no longer be sent.', color: '#9e9e9e', chip: 'default' },
};

/** Statuses in the order a reader expects them in legends and charts. */
export const STATUS_ORDER: EventStatus[] = ['delivered', 'queued', 'sending', 'retrying', 'failed', 'not_delivered', 'skipped', 'expired'];

export const statusChoices = STATUS_ORDER.map((id) => ({ id, name: STATUS[id].label }));
