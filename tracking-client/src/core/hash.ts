/**
 * Customer information hashed in the browser: the server's own normalization module (bundled
 * from server/src/user-data/normalize.ts, so the two sides cannot disagree), then SHA-256 with
 * SubtleCrypto. Plaintext never leaves this function; values that already are SHA-256 hex are
 * passed through lowercased, never hashed twice. Same rules as the server's hashUserData for
 * hashed keys: aliases merge into Meta's key, arrays allowed, duplicates removed, unusable values dropped.
 */
import { canonicalKey, isSha256Hex, normalizeValue, type HashedKey } from '../../../server/src/user-data/normalize';

export type UserValue = string | number | ReadonlyArray<string | number> | null | undefined;

/** Meta's keys and the readable aliases the bus accepts (matching ignores case, spaces, dashes and underscores, so `firstName` works too). */
export type UserKey =
  | HashedKey
  | 'email'
  | 'phone'
  | 'first_name'
  | 'firstName'
  | 'last_name'
  | 'lastName'
  | 'gender'
  | 'date_of_birth'
  | 'dateOfBirth'
  | 'city'
  | 'state'
  | 'zip'
  | 'postal_code'
  | 'country_code'
  | 'externalId';

export type UserData = Partial<Record<UserKey, UserValue>>;

/** Meta key → lowercase SHA-256 hex digests. */
export type HashedUserData = Partial<Record<HashedKey, string[]>>;

export interface HashResult {
  userData: HashedUserData;
  /** Input keys whose value could not be used (never the values). */
  dropped: string[];
}

const hex = (buf: ArrayBuffer): string => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(s: string, subtle: SubtleCrypto): Promise<string> {
  return hex(await subtle.digest('SHA-256', new TextEncoder().encode(s)));
}

/**
 * Normalizes and hashes. Without SubtleCrypto (pages served over plain http are not a secure
 * context) only values that already are SHA-256 hex can be kept; the others are dropped, never sent in clear.
 */
export async function hashUserData(input: Readonly<Record<string, unknown>>, subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Promise<HashResult> {
  const todo: Array<{ key: HashedKey; normalized: string }> = [];
  const dropped = new Set<string>();
  for (const [inputKey, value] of Object.entries(input)) {
    const key = canonicalKey(inputKey);
    if (key === undefined) {
      dropped.add(inputKey);
      continue;
    }
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
      const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
      const normalized = s === undefined ? null : normalizeValue(key, s);
      if (normalized === null || (!subtle && !isSha256Hex(normalized))) dropped.add(inputKey);
      else todo.push({ key, normalized });
    }
  }
  const hashes = await Promise.all(todo.map(({ normalized }) => (isSha256Hex(normalized) ? normalized : sha256Hex(normalized, subtle!))));
  const userData: HashedUserData = {};
  todo.forEach(({ key }, i) => {
    const list = (userData[key] ??= []);
    const h = hashes[i]!;
    if (!list.includes(h)) list.push(h);
  });
  return { userData, dropped: [...dropped] };
}
