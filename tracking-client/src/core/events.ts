/** Meta's standard events and their parameters (Meta Pixel reference, "Standard events"), as the bus seeds them. */
export const STANDARD_EVENTS = [
  'AddPaymentInfo',
  'AddToCart',
  'AddToWishlist',
  'CompleteRegistration',
  'Contact',
  'CustomizeProduct',
  'Donate',
  'FindLocation',
  'InitiateCheckout',
  'Lead',
  'PageView',
  'Purchase',
  'Schedule',
  'Search',
  'StartTrial',
  'SubmitApplication',
  'Subscribe',
  'ViewContent',
] as const;
export type StandardEventName = (typeof STANDARD_EVENTS)[number];

const STANDARD: ReadonlySet<string> = new Set(STANDARD_EVENTS);
export const isStandardEvent = (name: string): name is StandardEventName => STANDARD.has(name);

export interface Content {
  id: string | number;
  quantity?: number;
  item_price?: number;
}

interface Value {
  value?: number;
  /** ISO 4217, e.g. "EUR". */
  currency?: string;
}
interface Contents {
  content_ids?: Array<string | number>;
  contents?: Content[];
  content_type?: 'product' | 'product_group';
}

/** Parameters per standard event. Typos are compile errors; use a custom event for other properties. */
export interface StandardEventData {
  AddPaymentInfo: Value & Contents & { content_category?: string };
  AddToCart: Value & Contents & { content_name?: string };
  AddToWishlist: Value & Contents & { content_name?: string; content_category?: string };
  CompleteRegistration: Value & { content_name?: string; status?: string };
  Contact: Value;
  CustomizeProduct: Value & Contents;
  Donate: Value;
  FindLocation: Value;
  InitiateCheckout: Value & Contents & { content_category?: string; num_items?: number };
  Lead: Value & { content_name?: string; content_category?: string };
  PageView: Record<string, never>;
  Purchase: Contents & { value: number; currency: string; content_name?: string; num_items?: number; order_id?: string };
  Schedule: Value;
  Search: Value & Contents & { content_category?: string; search_string?: string };
  StartTrial: Value & { predicted_ltv?: number };
  SubmitApplication: Value;
  Subscribe: Value & { predicted_ltv?: number };
  ViewContent: Value & Contents & { content_name?: string; content_category?: string };
}

/** Custom events: Meta's known fields typed, anything else passed as a custom property. */
export interface CustomData extends Value, Contents {
  content_name?: string;
  content_category?: string;
  order_id?: string;
  num_items?: number;
  search_string?: string;
  status?: string;
  predicted_ltv?: number;
  [property: string]: unknown;
}

export type EventData<N extends string> = N extends StandardEventName ? StandardEventData[N] : CustomData;
