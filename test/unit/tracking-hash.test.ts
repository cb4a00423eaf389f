import { createHash, webcrypto } from 'node:crypto';
import { hashUserData as serverHashUserData } from '../../server/src/user-data/hash';
import { HASHED_KEYS } from '../../server/src/user-data/normalize';
import { hashUserData, sha256Hex } from '../../tracking-client/src/core/hash';

/** The browser's SubtleCrypto, as Node's WebCrypto implements it. */
const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const ref = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** What the server keeps for hashed keys, for comparison with the browser's result. */
function serverHashed(input: Record<string, unknown>) {
  const { userData, dropped } = serverHashUserData(input);
  const hashed: Record<string, string[]> = {};
  for (const k of HASHED_KEYS) if (userData[k]) hashed[k] = userData[k];
  return { userData: hashed, dropped: dropped.sort() };
}

const CASES: Array<Record<string, unknown>> = [
  { email: '  Jane.Roe@Example.COM ' },
  { em: 'jane@example.com', email: ['JANE@example.com', 'other@example.org'] },
  { phone: '+1 (650) 555-1234' },
  { ph: '0044 (0)20 7946 0958', phone_number: 'tel:+49 30 1234567' },
  { first_name: ' Zoë ', last_name: "O'Brien-Smith", fn: 'Ünal' },
  { firstName: 'José', lastName: 'García Márquez' },
  { gender: 'Female', ge: 'M' },
  { date_of_birth: '1990-01-02', db: '12/31/1985', dob: '02.03.1970', birthday: '19800415' },
  { city: 'San Francisco', ct: 'Saint-Étienne' },
  { state: 'California', st: 'Québec', region: 'x' },
  { state: 'Bavaria' },
  { zip: '94025-1234', zp: 'SW1A 1AA', postal_code: 'K1A 0B1' },
  { country: 'United States', country_code: 'DEU' },
  { country: 'UK' },
  { external_id: '  User-ABC-123 ', externalId: 42 },
  { phone: 5551234567 },
  // already hashed: lowercased, never hashed twice
  { em: 'A'.repeat(64), ph: ref('16505551234').toUpperCase() },
  // unusable values are dropped by key name; usable elements of the same key kept
  { email: ['not-an-email', 'ok@example.com'], phone: 'call me', gender: 'other', db: '01-02-1990', country: 'Atlantis', zip: '!' },
  { email: '', phone: null, city: undefined, fn: [] },
];

describe('browser hashing equals the server for the same inputs', () => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('%s', async (_label, input) => {
    const known = Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'region'));
    const browser = await hashUserData(known, subtle);
    const server = serverHashed(known);
    expect(browser.userData).toEqual(server.userData);
    expect(browser.dropped.sort()).toEqual(server.dropped);
  });

  it('hashes the normalized value with SHA-256 as lowercase hex', async () => {
    expect(await sha256Hex('jane.roe@example.com', subtle)).toBe(ref('jane.roe@example.com'));
    const { userData } = await hashUserData({ email: ' Jane.Roe@Example.com ' }, subtle);
    expect(userData).toEqual({ em: [ref('jane.roe@example.com')] });
  });

  it('never returns plaintext anywhere in its result', async () => {
    const input = { email: 'jane@example.com', phone: '+1 650 555 1234', fn: 'Jane', city: 'Paris', zip: '75001', country: 'France', external_id: 'user-7' };
    const out = JSON.stringify(await hashUserData(input, subtle));
    for (const v of Object.values(input)) expect(out).not.toContain(v);
    for (const list of Object.values((await hashUserData(input, subtle)).userData)) for (const h of list ?? []) expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes already-hashed values through lowercased, never hashing them again', async () => {
    const h = ref('jane@example.com');
    expect((await hashUserData({ em: h.toUpperCase() }, subtle)).userData).toEqual({ em: [h] });
  });

  it('reports keys that are not customer information as dropped', async () => {
    const r = await hashUserData({ email: 'a@b.co', favourite_colour: 'blue' }, subtle);
    expect(r.userData.em).toHaveLength(1);
    expect(r.dropped).toEqual(['favourite_colour']);
  });

  it('without SubtleCrypto (plain http pages) keeps only pre-hashed values and drops the rest, never sending them in clear', async () => {
    const h = ref('16505551234');
    const r = await hashUserData({ email: 'jane@example.com', ph: h }, null);
    expect(r.userData).toEqual({ ph: [h] });
    expect(r.dropped).toEqual(['email']);
  });
});
