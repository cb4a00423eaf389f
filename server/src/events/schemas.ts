import { z } from 'zod';

export const MAX_EVENTS_PER_REQUEST = 1000;
export const MAX_EVENT_AGE_S = 7 * 24 * 3600; // Meta accepts events up to 7 days old
export const MAX_CLOCK_SKEW_S = 300;

export const ACTION_SOURCES = ['website', 'app', 'email', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other'] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const FBC_PATTERN = /^fb\.\d\.\d{10,13}\.\S+$/;

/** Custom data: Meta's known fields are typed; anything else is kept as a custom property. */
export const CustomDataSchema = z
  .object({
    value: z.number({ error: 'must be a number' }).finite().min(0, 'must be a non-negative number').optional(),
    currency: z
      .string()
      .transform((c) => c.trim().toUpperCase())
      .refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code such as USD or EUR')
      .optional(),
    content_name: z.string().max(500).optional(),
    content_category: z.string().max(500).optional(),
    content_ids: z.array(z.union([z.string(), z.number()]).transform(String)).max(1000).optional(),
    contents: z
      .array(z.object({ id: z.union([z.string(), z.number()]).transform(String), quantity: z.number().int().min(0).optional(), item_price: z.number().min(0).optional() }).loose())
      .max(1000)
      .optional(),
    content_type: z.enum(['product', 'product_group']).optional(),
    order_id: z.union([z.string(), z.number()]).transform(String).optional(),
    num_items: z.number().int().min(0).optional(),
    search_string: z.string().max(500).optional(),
    status: z.string().max(100).optional(),
    predicted_ltv: z.number().finite().optional(),
  })
  .loose();

export const EventInputSchema = z
  .object({
    pixel_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{5,20}$/, 'must be a numeric dataset id')).optional(),
    event_name: z
      .string({ error: 'is required' })
      .trim()
      .min(1, 'is required')
      .max(100, 'must be at most 100 characters')
      .regex(/^[A-Za-z0-9_\-. ]+$/, 'may contain letters, digits, spaces, _ - and . only'),
    event_time: z
      .number({ error: 'must be a unix timestamp in seconds' })
      .int('must be a whole number of seconds')
      .refine((t) => t < 1e11, 'must be in seconds, not milliseconds')
      .optional(),
    event_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(191, 'must be at most 191 characters')).optional(),
    action_source: z.enum(ACTION_SOURCES, { error: `must be one of ${ACTION_SOURCES.join(', ')}` }).optional(),
    event_source_url: z.url({ error: 'must be an absolute http(s) URL' }).max(2048).optional(),
    referrer_url: z.url().max(2048).optional(),
    opt_out: z.boolean().optional(),
    // Checked key by key by hashUserData (unknown keys are reported there), so zod only checks the
    // shape: z.record would copy every key again, ~2 µs per event.
    user_data: z.custom<Record<string, unknown>>(isJsonObject, { error: 'must be an object' }).optional(),
    custom_data: CustomDataSchema.optional(),
    data_processing_options: z.array(z.string().max(32)).max(10).optional(),
    data_processing_options_country: z.number().int().optional(),
    data_processing_options_state: z.number().int().optional(),
  })
  .strict();

export type EventInput = z.infer<typeof EventInputSchema>;

/** What is stored in `events.payload` and handed to the SDK: Meta's shape, user data already hashed. */
export interface StoredEvent {
  event_name: string;
  event_time: number;
  event_id: string;
  action_source: ActionSource;
  event_source_url?: string;
  referrer_url?: string;
  opt_out?: boolean;
  user_data: Record<string, string | string[]>;
  custom_data?: Record<string, unknown>;
  data_processing_options?: string[];
  data_processing_options_country?: number;
  data_processing_options_state?: number;
}

export type IntakeStatus = 'queued' | 'skipped' | 'duplicate';
export type Source = 'browser' | 'server';
