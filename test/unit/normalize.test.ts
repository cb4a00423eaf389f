import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COUNTRY_CODES,
  HASHED_KEYS,
  type HashedKey,
  UNHASHED_KEYS,
  USER_DATA_ALIASES,
  canonicalKey,
  canonicalUnhashedKey,
  isSha256Hex,
  normalizeValue,
} from '../../server/src/user-data/normalize';
import { hashUserData, sha256Hex } from '../../server/src/user-data/hash';

/** Independent reference hash (not the module under test). */
const ref = (s: string): string => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

const NOW = new Date('2024-06-15T12:00:00Z');
const norm = (key: HashedKey, raw: string): string | null => normalizeValue(key, raw, { now: NOW });

type Row = [input: string, expected: string | null];

describe('module purity', () => {
  const src = readFileSync(join(__dirname, '../../server/src/user-data/normalize.ts'), 'utf8');
  it('normalize.ts has no imports and no Node/DOM globals', () => {
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src).not.toMatch(/\brequire\(/);
    expect(src).not.toMatch(/\b(process|Buffer|window|document|crypto|globalThis)\./);
  });
});

describe('keys', () => {
  it('exports Meta key lists', () => {
    expect(HASHED_KEYS).toEqual(['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id']);
    expect(UNHASHED_KEYS).toContain('client_ip_address');
    expect(UNHASHED_KEYS).toContain('fbc');
    expect(UNHASHED_KEYS).toContain('fbp');
  });

  it.each<[string, HashedKey | undefined]>([
    ['email', 'em'],
    ['em', 'em'],
    ['Email', 'em'],
    ['phone', 'ph'],
    ['phone_number', 'ph'],
    ['phoneNumber', 'ph'],
    ['first_name', 'fn'],
    ['firstname', 'fn'],
    ['firstName', 'fn'],
    ['First Name', 'fn'],
    ['first-name', 'fn'],
    ['last_name', 'ln'],
    ['lastname', 'ln'],
    ['gender', 'ge'],
    ['date_of_birth', 'db'],
    ['dob', 'db'],
    ['birthdate', 'db'],
    ['birthday', 'db'],
    ['city', 'ct'],
    ['state', 'st'],
    ['zip', 'zp'],
    ['zip_code', 'zp'],
    ['postal_code', 'zp'],
    ['zipcode', 'zp'],
    ['country', 'country'],
    ['country_code', 'country'],
    ['external_id', 'external_id'],
    ['externalId', 'external_id'],
    ['client_ip_address', undefined],
    ['fbp', undefined],
    ['favourite_colour', undefined],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['toString', undefined],
  ])('canonicalKey(%j) = %j', (input, expected) => {
    expect(canonicalKey(input)).toBe(expected);
  });

  it('every Meta key is its own alias and every alias maps to a hashed key', () => {
    for (const k of HASHED_KEYS) expect(canonicalKey(k)).toBe(k);
    for (const [alias, k] of Object.entries(USER_DATA_ALIASES)) expect(canonicalKey(alias)).toBe(k);
  });

  it('canonicalUnhashedKey', () => {
    for (const k of UNHASHED_KEYS) expect(canonicalUnhashedKey(k)).toBe(k);
    expect(canonicalUnhashedKey('Client-IP-Address')).toBe('client_ip_address');
    expect(canonicalUnhashedKey('email')).toBeUndefined();
  });
});

describe('isSha256Hex', () => {
  const h = ref('x');
  it.each<[string, boolean]>([
    [h, true],
    [h.toUpperCase(), true],
    [h.slice(1), false],
    [h + '0', false],
    [`${h.slice(0, 63)}g`, false],
    [` ${h}`, false],
    ['', false],
  ])('%j → %s', (v, expected) => expect(isSha256Hex(v)).toBe(expected));
});

describe('em', () => {
  it.each<Row>([
    ['  John.Doe@Example.COM ', 'john.doe@example.com'],
    ['Person@Example.com', 'person@example.com'],
    ['a+tag@sub.example.co.uk', 'a+tag@sub.example.co.uk'],
    ['JÖRG@exämple.de', 'jörg@exämple.de'],
    ['not-an-email', null],
    ['john@', null],
    ['@example.com', null],
    ['john@example', null],
    ['john@example.c', null],
    ['john doe@example.com', null],
    ['john@@example.com', null],
    ['john@example..com', null],
    ['john@.example.com', null],
    ['   ', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('em', input)).toBe(expected));

  it('hash of a messy email equals the independent hash of its normalized form', () => {
    const { userData } = hashUserData({ email: '  John.Doe@Example.COM ' });
    expect(userData.em).toEqual([ref('john.doe@example.com')]);
    expect(sha256Hex('john.doe@example.com')).toBe(ref('john.doe@example.com'));
  });
});

describe('ph', () => {
  it.each<Row>([
    ['+1 (650) 555-1212', '16505551212'],
    ['1-650-555-1212', '16505551212'],
    ['+1.650.555.1212', '16505551212'],
    ['16505551212', '16505551212'],
    ['tel:+1-650-555-1212', '16505551212'],
    ['+44 844 412 4653', '448444124653'],
    ['0044 844 412 4653', '448444124653'],
    ['(0049) 30 1234567', '49301234567'],
    ['0049 30 1234567', '49301234567'],
    ['+49 (0)30 1234567', '49301234567'],
    ['+44 (0) 20 7946 0958', '442079460958'],
    ['+33 1/23/45/67/89', '33123456789'],
    // no country code guessing: a national number stays as given, minus leading zeros
    ['030 1234567', '301234567'],
    ['123456', null],
    ['1234567', '1234567'],
    ['123456789012345', '123456789012345'],
    ['1234567890123456', null],
    ['+1 650 555 1212 ext. 12', null],
    ['call me', null],
    ['650-CALL-NOW', null],
    ['1+650 555 1212', null],
    ['00000', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('ph', input)).toBe(expected));
});

describe('fn / ln', () => {
  it.each<Row>([
    ['John', 'john'],
    ['  MARY  ', 'mary'],
    ['Mary-Jane', 'maryjane'],
    ["O'Brien", 'obrien'],
    ['Jean Luc', 'jeanluc'],
    ['J.R.R.', 'jrr'],
    ['Valérie', 'valérie'],
    ['Valérie'.normalize('NFD'), 'valérie'],
    ['ÅSA', 'åsa'],
    ['Ñúñez', 'ñúñez'],
    ['Иван', 'иван'],
    ['John2', 'john'],
    ['123', null],
    ['...', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(norm('fn', input)).toBe(expected);
    expect(norm('ln', input)).toBe(expected);
  });
});

describe('ge', () => {
  it.each<Row>([
    ['f', 'f'],
    ['F', 'f'],
    ['female', 'f'],
    [' Female ', 'f'],
    ['WOMAN', 'f'],
    ['m', 'm'],
    ['M', 'm'],
    ['male', 'm'],
    ['Man', 'm'],
    ['x', null],
    ['other', null],
    ['unknown', null],
    ['femme', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('ge', input)).toBe(expected));
});

describe('db', () => {
  it.each<Row>([
    ['19900102', '19900102'],
    ['1990-01-02', '19900102'],
    ['1990/01/02', '19900102'],
    ['1990.01.02', '19900102'],
    ['1990-1-2', '19900102'],
    ['1990-01-02T00:00:00Z', '19900102'],
    ['1990-01-02T00:00:00.000Z', '19900102'],
    // the calendar date is taken as written, never shifted by the offset
    ['1990-01-02T00:30:00+02:00', '19900102'],
    ['1990-01-02T23:30:00-05:00', '19900102'],
    ['1990-01-02 10:00', '19900102'],
    // slash with year last = US month-first
    ['01/02/1990', '19900102'],
    ['1/2/1990', '19900102'],
    ['12/31/1990', '19901231'],
    ['31/12/1990', null],
    // dot with year last = day-first
    ['02.01.1990', '19900102'],
    ['31.12.1990', '19901231'],
    ['12.31.1990', null],
    // ambiguous or incomplete
    ['02-01-1990', null],
    ['01/02/90', null],
    ['1990-01', null],
    ['Jan 2 1990', null],
    ['1990-01-02-03', null],
    ['1990-01/02', null],
    // real dates only
    ['19900230', null],
    ['1990-02-29', null],
    ['2000-02-29', '20000229'],
    ['1900-02-29', null],
    ['1990-13-01', null],
    ['1990-00-10', null],
    ['1990-01-00', null],
    ['1990-04-31', null],
    // 1900 .. today (NOW = 2024-06-15)
    ['1900-01-01', '19000101'],
    ['1899-12-31', null],
    ['2024-06-15', '20240615'],
    ['2024-06-16', '20240616'], // already the 16th in UTC+14
    ['2024-06-17', null],
    ['2030-01-01', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('db', input)).toBe(expected));

  it('defaults the clock to now', () => {
    expect(normalizeValue('db', '1990-01-02')).toBe('19900102');
    expect(normalizeValue('db', `${new Date().getUTCFullYear() + 2}-01-01`)).toBeNull();
  });
});

describe('ct', () => {
  it.each<Row>([
    ['Menlo Park', 'menlopark'],
    ['  New York ', 'newyork'],
    ['St. Louis', 'stlouis'],
    ['Winston-Salem', 'winstonsalem'],
    ["Coeur d'Alene", 'coeurdalene'],
    ['São Paulo', 'sãopaulo'],
    ['München', 'münchen'],
    ['Paris 75001', 'paris'],
    ['12345', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('ct', input)).toBe(expected));
});

describe('st', () => {
  it.each<Row>([
    ['CA', 'ca'],
    ['ca', 'ca'],
    [' Ny ', 'ny'],
    ['N.Y.', 'ny'],
    ['California', 'ca'],
    ['new york', 'ny'],
    ['NEW YORK', 'ny'],
    ['New  Hampshire', 'nh'],
    ['North Carolina', 'nc'],
    ['West Virginia', 'wv'],
    ['Washington', 'wa'],
    ['District of Columbia', 'dc'],
    ['Washington, D.C.', 'dc'],
    ['Puerto Rico', 'pr'],
    ['Guam', 'gu'],
    ['U.S. Virgin Islands', 'vi'],
    ['American Samoa', 'as'],
    ['Northern Mariana Islands', 'mp'],
    ['Ontario', 'on'],
    ['Québec', 'qc'],
    ['Quebec', 'qc'],
    ['British Columbia', 'bc'],
    ['Newfoundland and Labrador', 'nl'],
    ['Prince Edward Island', 'pe'],
    ['Yukon', 'yt'],
    // non-US/CA fallback: lowercase letters only
    ['Bavaria', 'bavaria'],
    ['Île-de-France', 'îledefrance'],
    ['Nord-Pas de Calais', 'nordpasdecalais'],
    ['Greater London', 'greaterlondon'],
    ['123', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('st', input)).toBe(expected));

  it('maps all 50 states and DC', () => {
    const states: Array<[string, string]> = [
      ['Alabama', 'al'], ['Alaska', 'ak'], ['Arizona', 'az'], ['Arkansas', 'ar'], ['California', 'ca'],
      ['Colorado', 'co'], ['Connecticut', 'ct'], ['Delaware', 'de'], ['Florida', 'fl'], ['Georgia', 'ga'],
      ['Hawaii', 'hi'], ['Idaho', 'id'], ['Illinois', 'il'], ['Indiana', 'in'], ['Iowa', 'ia'],
      ['Kansas', 'ks'], ['Kentucky', 'ky'], ['Louisiana', 'la'], ['Maine', 'me'], ['Maryland', 'md'],
      ['Massachusetts', 'ma'], ['Michigan', 'mi'], ['Minnesota', 'mn'], ['Mississippi', 'ms'], ['Missouri', 'mo'],
      ['Montana', 'mt'], ['Nebraska', 'ne'], ['Nevada', 'nv'], ['New Hampshire', 'nh'], ['New Jersey', 'nj'],
      ['New Mexico', 'nm'], ['New York', 'ny'], ['North Carolina', 'nc'], ['North Dakota', 'nd'], ['Ohio', 'oh'],
      ['Oklahoma', 'ok'], ['Oregon', 'or'], ['Pennsylvania', 'pa'], ['Rhode Island', 'ri'], ['South Carolina', 'sc'],
      ['South Dakota', 'sd'], ['Tennessee', 'tn'], ['Texas', 'tx'], ['Utah', 'ut'], ['Vermont', 'vt'],
      ['Virginia', 'va'], ['Washington', 'wa'], ['West Virginia', 'wv'], ['Wisconsin', 'wi'], ['Wyoming', 'wy'],
      ['District of Columbia', 'dc'],
    ];
    expect(new Set(states.map(([, c]) => c)).size).toBe(51);
    for (const [name, code] of states) {
      expect(norm('st', name)).toBe(code);
      expect(norm('st', name.toUpperCase())).toBe(code);
    }
  });

  it('maps all Canadian provinces and territories', () => {
    const provinces: Array<[string, string]> = [
      ['Alberta', 'ab'], ['British Columbia', 'bc'], ['Manitoba', 'mb'], ['New Brunswick', 'nb'],
      ['Newfoundland and Labrador', 'nl'], ['Nova Scotia', 'ns'], ['Northwest Territories', 'nt'], ['Nunavut', 'nu'],
      ['Ontario', 'on'], ['Prince Edward Island', 'pe'], ['Québec', 'qc'], ['Saskatchewan', 'sk'], ['Yukon', 'yt'],
    ];
    for (const [name, code] of provinces) expect(norm('st', name)).toBe(code);
  });
});

describe('zp', () => {
  it.each<Row>([
    ['94025', '94025'],
    [' 94025 ', '94025'],
    ['94025-1234', '94025'],
    ['94025 1234', '94025'],
    ['940251234', '94025'],
    ['02139', '02139'],
    ['SW1A 1AA', 'sw1a1aa'],
    ['m1 1ae', 'm11ae'],
    ['K1A 0B1', 'k1a0b1'],
    ['01001-000', '01001000'],
    ['1010', '1010'],
    ['1', null],
    ['94025!', null],
    ['12345678901', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('zp', input)).toBe(expected));
});

describe('country', () => {
  it.each<Row>([
    ['US', 'us'],
    ['us', 'us'],
    ['USA', 'us'],
    ['U.S.', 'us'],
    ['U.S.A.', 'us'],
    ['United States', 'us'],
    ['United States of America', 'us'],
    ['the United States', 'us'],
    ['UK', 'gb'],
    ['GB', 'gb'],
    ['GBR', 'gb'],
    ['United Kingdom', 'gb'],
    ['Great Britain', 'gb'],
    ['England', 'gb'],
    ['DEU', 'de'],
    ['Germany', 'de'],
    ['Deutschland', 'de'],
    ['FRA', 'fr'],
    ['france', 'fr'],
    ['The Netherlands', 'nl'],
    ['Holland', 'nl'],
    ["Côte d'Ivoire", 'ci'],
    ['Cote d’Ivoire', 'ci'],
    ['Ivory Coast', 'ci'],
    ['Bosnia & Herzegovina', 'ba'],
    ['Åland Islands', 'ax'],
    ['South Korea', 'kr'],
    ['North Korea', 'kp'],
    ['Democratic Republic of the Congo', 'cd'],
    ['Republic of the Congo', 'cg'],
    ['Türkiye', 'tr'],
    ['Turkey', 'tr'],
    ['Czech Republic', 'cz'],
    ['Czechia', 'cz'],
    ['Eswatini', 'sz'],
    ['Swaziland', 'sz'],
    ['Viet Nam', 'vn'],
    ['Vietnam', 'vn'],
    ['Russia', 'ru'],
    ['México', 'mx'],
    ['UAE', 'ae'],
    ['Virgin Islands', null],
    ['XX', null],
    ['ZZZ', null],
    ['Narnia', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(norm('country', input)).toBe(expected));

  it('covers every ISO 3166-1 country: alpha-2 and alpha-3 map to the alpha-2', () => {
    expect(COUNTRY_CODES.length).toBeGreaterThanOrEqual(249);
    expect(new Set(COUNTRY_CODES).size).toBe(COUNTRY_CODES.length);
    for (const code of COUNTRY_CODES) {
      expect(code).toMatch(/^[a-z]{2}$/);
      expect(norm('country', code)).toBe(code);
      expect(norm('country', code.toUpperCase())).toBe(code);
    }
  });
});

describe('external_id', () => {
  it.each<Row>([
    ['  user-123 ', 'user-123'],
    ['ABC123', 'ABC123'],
    ['a b', 'a b'],
    ['   ', null],
  ])('%j → %j', (input, expected) => expect(norm('external_id', input)).toBe(expected));
});

describe('already-hashed values', () => {
  const h = ref('john.doe@example.com');
  it.each(HASHED_KEYS.map((k) => [k]))('%s: 64-hex is returned lowercased, not re-normalized', (key) => {
    expect(norm(key, h)).toBe(h);
    expect(norm(key, h.toUpperCase())).toBe(h);
    expect(norm(key, `  ${h.toUpperCase()} `)).toBe(h);
  });
});

describe('hashUserData', () => {
  it('hashes aliases and Meta keys with independently computed hashes', () => {
    const { userData, dropped, unknownKeys } = hashUserData(
      {
        email: '  John.Doe@Example.COM ',
        phone: '+1 (650) 555-1212',
        first_name: "O'Brien",
        ln: 'Doe',
        gender: 'Female',
        dob: '01/02/1990',
        city: 'Menlo Park',
        state: 'California',
        zip: '94025-1234',
        country: 'United States',
        external_id: ' User-42 ',
      },
      { now: NOW },
    );
    expect(userData).toEqual({
      em: [ref('john.doe@example.com')],
      ph: [ref('16505551212')],
      fn: [ref('obrien')],
      ln: [ref('doe')],
      ge: [ref('f')],
      db: [ref('19900102')],
      ct: [ref('menlopark')],
      st: [ref('ca')],
      zp: [ref('94025')],
      country: [ref('us')],
      external_id: [ref('User-42')],
    });
    expect(dropped).toEqual([]);
    expect(unknownKeys).toEqual([]);
  });

  it('accepts arrays, numbers, dedupes identical hashes and merges alias with Meta key', () => {
    const { userData } = hashUserData({
      em: ['a@example.com', 'A@EXAMPLE.COM ', 'b@example.com'],
      email: 'a@example.com',
      ph: [16505551212, '+1 650 555 1212'],
      db: 19900102,
    });
    expect(userData.em).toEqual([ref('a@example.com'), ref('b@example.com')]);
    expect(userData.ph).toEqual([ref('16505551212')]);
    expect(userData.db).toEqual([ref('19900102')]);
  });

  it('passes already-hashed values through lowercased and never re-hashes them', () => {
    const h = ref('a@example.com');
    const { userData } = hashUserData({ em: [h.toUpperCase(), 'a@example.com'], ph: h });
    expect(userData.em).toEqual([h]);
    expect(userData.ph).toEqual([h]);
  });

  it('reports dropped keys by name only, keeps usable elements of partially bad arrays', () => {
    const input = {
      email: 'not-an-email',
      phone: ['+1 650 555 1212', 'call me'],
      gender: 'xyzzy',
      zip: '1',
      date_of_birth: '31/12/1990',
      country: 'Narnia',
      fn: { first: 'John' },
    };
    const result = hashUserData(input, { now: NOW });
    expect(result.dropped.sort()).toEqual(['country', 'date_of_birth', 'email', 'fn', 'gender', 'phone', 'zip']);
    expect(result.userData).toEqual({ ph: [ref('16505551212')] });
    const serialized = JSON.stringify(result);
    for (const raw of ['not-an-email', 'call me', '650', 'xyzzy', '31/12/1990', 'Narnia', 'John']) {
      expect(serialized).not.toContain(raw);
    }
  });

  it('treats null, undefined, blank and empty arrays as not given', () => {
    const result = hashUserData({ email: '', phone: null, fn: undefined, ln: '   ', ct: [], fbp: ' ' });
    expect(result).toEqual({ userData: {}, dropped: [], unknownKeys: [] });
  });

  it('copies unhashed keys trimmed and never hashes them', () => {
    const { userData, dropped } = hashUserData({
      client_ip_address: ' 203.0.113.7 ',
      client_user_agent: ' Mozilla/5.0 (X11) ',
      fbc: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890',
      fbp: 'fb.1.1558571054389.1098115397',
      external_id: 'x',
      lead_id: 123,
    });
    expect(userData).toMatchObject({
      client_ip_address: '203.0.113.7',
      client_user_agent: 'Mozilla/5.0 (X11)',
      fbc: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890',
      fbp: 'fb.1.1558571054389.1098115397',
      lead_id: '123',
    });
    expect(dropped).toEqual([]);
  });

  it.each<[string, boolean]>([
    ['203.0.113.7', true],
    ['2001:db8::1', true],
    ['::ffff:192.0.2.1', true],
    ['999.1.1.1', false],
    ['localhost', false],
    ['1.2.3', false],
  ])('client_ip_address %j valid=%s', (ip, valid) => {
    const { userData, dropped } = hashUserData({ client_ip_address: ip });
    expect(userData.client_ip_address).toBe(valid ? ip : undefined);
    expect(dropped).toEqual(valid ? [] : ['client_ip_address']);
  });

  it('drops arrays and objects for unhashed keys', () => {
    const { userData, dropped } = hashUserData({ fbp: ['a', 'b'], fbc: { v: 1 } });
    expect(userData).toEqual({});
    expect(dropped.sort()).toEqual(['fbc', 'fbp']);
  });

  it('reports unknown keys without values, and masks keys that do not look like identifiers', () => {
    const { userData, unknownKeys } = hashUserData({ favourite_colour: 'blue', 'john@example.com': 'x' });
    expect(userData).toEqual({});
    expect(unknownKeys).toEqual(['favourite_colour', '[invalid key]']);
    expect(JSON.stringify(unknownKeys)).not.toContain('john@');
  });

  it('is safe against prototype keys', () => {
    const input = JSON.parse('{"__proto__": {"em": ["x"]}, "constructor": "y"}') as Record<string, unknown>;
    const { userData, unknownKeys } = hashUserData(input);
    expect(userData).toEqual({});
    expect(Object.getPrototypeOf(userData)).toBe(Object.prototype);
    expect(unknownKeys.sort()).toEqual(['[invalid key]', 'constructor']);
  });
});
