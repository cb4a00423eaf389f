/**
 * Server-side hashing of customer information: normalize (./normalize.ts, shared with the
 * browser client) then SHA-256, so raw PII never leaves the edge.
 *
 * Why we normalize and hash before facebook-nodejs-business-sdk: the SDK's own normalization
 * (ServerSideUtils.normalizeAndHash) is not Meta's spec: it keeps dots in phone numbers and
 * punctuation in names, hashes dates of birth as given (not YYYYMMDD), hashes full state names,
 * sends an unknown gender or a short zip as [null], and sends external_id unhashed. It passes
 * 64-hex values through untouched, so we always hand it lowercase SHA-256 hashes.
 *
 * Rules of hashUserData:
 * - Keys: Meta keys or readable aliases (see USER_DATA_ALIASES; case/space/dash/underscore-insensitive).
 * - Values of hashed keys: string, finite number, or an array of them. Each is normalized and hashed;
 *   values that already are SHA-256 hex are passed through lowercased (never hashed twice);
 *   identical hashes are deduplicated (order of first appearance kept); an alias and its Meta key
 *   (e.g. `email` and `em`) merge into one list.
 * - null / undefined / blank strings / empty arrays count as "not given": neither output nor dropped.
 * - A key whose value (or any element of its array) is unusable is listed in `dropped`
 *   by its input key name; its usable elements are still sent.
 * - Unhashed keys (client_ip_address, client_user_agent, fbc, fbp, …) are copied as trimmed strings,
 *   never hashed; arrays or non-scalar values are dropped. client_ip_address must be a valid
 *   IPv4/IPv6 address (node:net isIP), else dropped.
 * - Keys that are neither are listed in `unknownKeys` and ignored.
 * - Never any raw value in the result besides the unhashed parameters Meta requires in clear; key
 *   names reported in `dropped` / `unknownKeys` are replaced by "[invalid key]" unless they look like
 *   identifiers (so a caller that mistakenly uses an email as a key does not leak it into logs).
 */
import { sha256 } from '../shared/crypto';
import { isIP } from 'node:net';
import {
  type HashedKey,
  type UnhashedKey,
  canonicalKey,
  canonicalUnhashedKey,
  isSha256Hex,
  normalizeValue,
  type NormalizeOptions,
} from './normalize';

export type HashedUserData = { [K in HashedKey]?: string[] } & { [K in UnhashedKey]?: string };

export interface HashUserDataResult {
  userData: HashedUserData;
  /** Input key names whose value(s) were unusable, e.g. 'email'. Never values. */
  dropped: string[];
  /** Input key names that are not customer-information parameters. Never values. */
  unknownKeys: string[];
}

export { sha256 as sha256Hex } from '../shared/crypto';

const INVALID_KEY = '[invalid key]';

function reportableKey(key: string): string {
  return /^[A-Za-z][A-Za-z0-9_. -]{0,63}$/.test(key) ? key : INVALID_KEY;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function scalarToString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/** What an input key is: a hashed parameter, an unhashed one, or neither (null). */
type KeyKind = { hashed: HashedKey } | { unhashed: UnhashedKey } | null;
const keyKinds = new Map<string, KeyKind>();
/** Bounds the memo: callers choose key names, so a stream of made-up ones must not grow it forever. */
const KEY_KINDS_MAX = 512;

/**
 * `canonicalKey` / `canonicalUnhashedKey` of an input key, memoized: the same few key names come
 * in every event, and folding them was about a quarter of hashUserData's time.
 */
function kindOf(inputKey: string): KeyKind {
  let kind = keyKinds.get(inputKey);
  if (kind === undefined) {
    const hashed = canonicalKey(inputKey);
    const unhashed = hashed === undefined ? canonicalUnhashedKey(inputKey) : undefined;
    kind = hashed !== undefined ? { hashed } : unhashed !== undefined ? { unhashed } : null;
    if (keyKinds.size >= KEY_KINDS_MAX) keyKinds.clear();
    keyKinds.set(inputKey, kind);
  }
  return kind;
}

/** Adds `value` to the list under `key`, once. The lists are a few entries long. */
function addOnce<K extends string>(lists: Partial<Record<K, string[]>>, key: K, value: string): void {
  const list = lists[key];
  if (list === undefined) lists[key] = [value];
  else if (!list.includes(value)) list.push(value);
}

export function hashUserData(input: Record<string, unknown>, options: NormalizeOptions = {}): HashUserDataResult {
  const userData: HashedUserData = {};
  const hashed: Partial<Record<HashedKey, string[]>> = {};
  const reported: { dropped?: string[]; unknownKeys?: string[] } = {};

  for (const inputKey in input) {
    if (!Object.hasOwn(input, inputKey)) continue;
    const value = input[inputKey];
    const kind = kindOf(inputKey);
    if (kind === null) {
      addOnce(reported, 'unknownKeys', reportableKey(inputKey));
    } else if ('hashed' in kind) {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (isBlank(v)) continue;
        const s = scalarToString(v);
        const normalized = s === undefined ? null : normalizeValue(kind.hashed, s, options);
        if (normalized === null) addOnce(reported, 'dropped', reportableKey(inputKey));
        else addOnce(hashed, kind.hashed, isSha256Hex(normalized) ? normalized : sha256(normalized));
      }
    } else if (!isBlank(value)) {
      const s = scalarToString(value)?.trim();
      if (s === undefined || s === '' || (kind.unhashed === 'client_ip_address' && isIP(s) === 0)) addOnce(reported, 'dropped', reportableKey(inputKey));
      else userData[kind.unhashed] = s;
    }
  }

  Object.assign(userData, hashed);
  return { userData, dropped: reported.dropped ?? [], unknownKeys: reported.unknownKeys ?? [] };
}
