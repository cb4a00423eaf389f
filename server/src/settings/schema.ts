import { z } from 'zod';

/** Delivery and retention settings the marketing team can edit; defaults apply until they do. */
export const SettingsSchema = z.object({
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(50).default(8),
      baseBackoffMs: z.number().int().min(100).max(3_600_000).default(5_000),
      maxBackoffMs: z.number().int().min(1_000).max(86_400_000).default(3_600_000),
    })
    .default({ maxAttempts: 8, baseBackoffMs: 5_000, maxBackoffMs: 3_600_000 })
    .refine((r) => r.maxBackoffMs >= r.baseBackoffMs, { message: 'must be ≥ baseBackoffMs', path: ['maxBackoffMs'] }),
  batchSize: z.number().int().min(1).max(1000).default(1000),
  requestTimeoutMs: z.number().int().min(200).max(60_000).default(1_500),
  retentionDays: z.number().int().min(1).max(3650).default(30),
});

export type Settings = z.infer<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
