/**
 * Customer-information normalization, exactly as Meta's "Customer Information Parameters"
 * page specifies, shared by the server and the browser tracking client so both produce the
 * same SHA-256 for the same person.
 *
 * PURE: no Node or DOM APIs, no dependencies, no I/O. Only ECMAScript built-ins
 * (String.prototype.normalize, Unicode property escapes, Date). Hashing lives elsewhere
 * (server: ./hash.ts with node:crypto; browser: SubtleCrypto).
 *
 * `normalizeValue` returns `null` when a value is unusable: we drop it rather than send
 * garbage (a hash of garbage never matches and can lower Event Match Quality).
 *
 * Decisions (where Meta is silent or ambiguous):
 * - Any key: a value that already is a SHA-256 hex digest (64 hex chars, any case, surrounding
 *   whitespace ignored) is returned lowercased and not re-normalized; callers must not hash it
 *   again. Meta requires lowercase hex.
 * - em: trim + lowercase; must look like local@domain.tld (no whitespace, one "@", a dotted
 *   domain whose last label has 2+ characters). Gmail dots etc. are NOT removed (Meta does not ask).
 * - ph: digits only; "+", spaces, dashes, dots, slashes and parentheses are stripped, then all
 *   leading zeros (so "00" international prefixes go). A "(0)" trunk marker after an international
 *   prefix ("+44 (0)20 …") is removed. Letters or other symbols (e.g. "ext. 12") make the value
 *   unusable, a leading "tel:" is allowed. Result must be 7–15 digits (E.164).
 *   We do NOT guess a country code: a number given without one is hashed as given (after the
 *   leading-zero strip) and will simply not match; callers that know the country must prefix it.
 * - fn / ln / ct: Unicode NFC, lowercase, keep letters only (Unicode letters incl. accented ones
 *   and combining marks, UTF-8 as Meta allows); digits, punctuation and whitespace removed.
 *   Empty → null.
 * - ge: f/female/woman → "f", m/male/man → "m" (case and punctuation ignored); else null.
 * - db: YYYYMMDD. Accepted: YYYYMMDD; year-first YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (1–2 digit
 *   month/day), optionally followed by an ISO time ("1990-01-02T00:00:00Z", "+02:00", …) whose
 *   calendar date is taken as written (never shifted by time zone: a birthday is a date);
 *   slash with year last = US month-first MM/DD/YYYY; dot with year last = day-first DD.MM.YYYY.
 *   Dash with year last (DD-MM-YYYY vs MM-DD-YYYY) and two-digit years are ambiguous → null.
 *   The date must exist and lie between 1900-01-01 and today (today anywhere on Earth, UTC+14).
 * - st: 2 letters → lowercased code. Full names of the 50 US states, DC, US territories,
 *   freely associated states, armed-forces "states" and Canadian provinces/territories map to
 *   their 2-letter code (accents, case, spaces, punctuation ignored: "Québec" → "qc").
 *   Anything else (non-US/CA regions) follows Meta's fallback: lowercase, letters only, no
 *   punctuation or spaces (accented letters kept, NFC).
 * - zp: lowercase, whitespace and dashes removed; must then be 2–10 ASCII letters/digits.
 *   US ZIP+4 ("94025-1234", "94025 1234", "940251234") → first 5 digits. Other postcodes (UK,
 *   Canada, …) are kept whole, lowercased without spaces ("SW1A 1AA" → "sw1a1aa").
 * - country: ISO 3166-1 alpha-2 lowercase. Accepts alpha-2, alpha-3, English names and a few
 *   common aliases/native names (see COUNTRY_ROWS), ignoring case, accents, punctuation, spaces
 *   and a leading "the". "UK" → "gb". Ambiguous bare names resolve to the
 *   common reading ("Congo" → "cg", "Korea" → "kr"); "Virgin Islands" alone (US or British?) → null. Kosovo's widely used user-assigned code "xk" is accepted.
 *   Unknown → null.
 * - external_id: trimmed only, case and inner characters preserved (it is any unique string the
 *   advertiser controls; changing case could merge distinct ids). Meta recommends hashing it, so
 *   callers hash the result like every other key.
 */

export const HASHED_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'] as const;
export type HashedKey = (typeof HASHED_KEYS)[number];

export const UNHASHED_KEYS = [
  'client_ip_address',
  'client_user_agent',
  'fbc',
  'fbp',
  'subscription_id',
  'fb_login_id',
  'lead_id',
  'anon_id',
  'madid',
  'page_id',
  'page_scoped_user_id',
  'ctwa_clid',
  'ig_account_id',
  'ig_sid',
] as const;
export type UnhashedKey = (typeof UNHASHED_KEYS)[number];

/** Readable aliases (and the Meta keys themselves) → Meta key. Matching is also case-, space-, dash- and underscore-insensitive (see canonicalKey). */
export const USER_DATA_ALIASES: Readonly<Record<string, HashedKey>> = Object.freeze({
  em: 'em',
  email: 'em',
  email_address: 'em',
  ph: 'ph',
  phone: 'ph',
  phone_number: 'ph',
  fn: 'fn',
  first_name: 'fn',
  firstname: 'fn',
  ln: 'ln',
  last_name: 'ln',
  lastname: 'ln',
  ge: 'ge',
  gender: 'ge',
  db: 'db',
  date_of_birth: 'db',
  dob: 'db',
  birthdate: 'db',
  birthday: 'db',
  ct: 'ct',
  city: 'ct',
  st: 'st',
  state: 'st',
  zp: 'zp',
  zip: 'zp',
  zip_code: 'zp',
  postal_code: 'zp',
  zipcode: 'zp',
  postcode: 'zp',
  country: 'country',
  country_code: 'country',
  external_id: 'external_id',
} satisfies Record<string, HashedKey>);

/** "First Name", "first-name", "firstName", "first_name" → "firstname". */
function foldKey(key: string): string {
  return key.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

const FOLDED_ALIASES: ReadonlyMap<string, HashedKey> = new Map(
  Object.entries(USER_DATA_ALIASES).map(([alias, key]) => [foldKey(alias), key] as const),
);
const FOLDED_UNHASHED: ReadonlyMap<string, UnhashedKey> = new Map(UNHASHED_KEYS.map((k) => [foldKey(k), k] as const));

/** Meta key for a Meta key or readable alias (case/space/dash/underscore-insensitive); undefined if it is not a hashed key. */
export function canonicalKey(inputKey: string): HashedKey | undefined {
  return FOLDED_ALIASES.get(foldKey(inputKey));
}

/** Meta key for an unhashed parameter name (same folding as canonicalKey); undefined if it is not one. */
export function canonicalUnhashedKey(inputKey: string): UnhashedKey | undefined {
  return FOLDED_UNHASHED.get(foldKey(inputKey));
}

/** True for a SHA-256 hex digest: exactly 64 hex characters. Uppercase is accepted here; normalizeValue lowercases it (Meta requires lowercase). */
export function isSha256Hex(value: string): boolean {
  return /^[a-fA-F0-9]{64}$/.test(value);
}

export interface NormalizeOptions {
  /** Clock used by the date-of-birth "not in the future" check (tests). Default: new Date(). */
  now?: Date;
}

/** Normalized value ready for SHA-256 (or an already-hashed value, lowercased); null = unusable, drop it. */
export function normalizeValue(key: HashedKey, raw: string, options: NormalizeOptions = {}): string | null {
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  if (isSha256Hex(trimmed)) return trimmed.toLowerCase();
  switch (key) {
    case 'em':
      return normalizeEmail(trimmed);
    case 'ph':
      return normalizePhone(trimmed);
    case 'fn':
    case 'ln':
    case 'ct':
      return lettersOnly(trimmed) || null;
    case 'ge':
      return normalizeGender(trimmed);
    case 'db':
      return normalizeDateOfBirth(trimmed, options.now ?? new Date());
    case 'st':
      return normalizeState(trimmed);
    case 'zp':
      return normalizeZip(trimmed);
    case 'country':
      return normalizeCountry(trimmed);
    case 'external_id':
      return trimmed;
    default: {
      const unreachable: never = key;
      return unreachable;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

/** NFC, lowercase, Unicode letters (and combining marks) only. */
function lettersOnly(s: string): string {
  return s.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{M}]/gu, '');
}

/** Lookup key: accents stripped, lowercase, ASCII letters only ("Québec" → "quebec"). */
function asciiKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function normalizeEmail(s: string): string | null {
  const e = s.toLowerCase();
  return /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]{2,}$/u.test(e) ? e : null;
}

function normalizePhone(input: string): string | null {
  let s = input.replace(/^tel:/i, '').trim();
  // Only digits, whitespace and common separators; "+" only in front. Letters (extensions, words) → unusable.
  if (!/^\+?[\d\s\-.()/]+$/.test(s)) return null;
  // "+44 (0)20 7946 0958": the "(0)" is the national trunk prefix, not part of the international number.
  if (/^(?:\+|00)/.test(s)) s = s.replace(/\(\s*0\s*\)/, '');
  const digits = s.replace(/\D/g, '').replace(/^0+/, '');
  return digits.length >= 7 && digits.length <= 15 ? digits : null;
}

function normalizeGender(s: string): string | null {
  switch (asciiKey(s)) {
    case 'f':
    case 'female':
    case 'woman':
      return 'f';
    case 'm':
    case 'male':
    case 'man':
      return 'm';
    default:
      return null;
  }
}

const TIME_SUFFIX = String.raw`(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const DOB_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DOB_YEAR_FIRST = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME_SUFFIX}$`, 'i');
const DOB_US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DOB_DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

function normalizeDateOfBirth(s: string, now: Date): string | null {
  let y: string | undefined;
  let m: string | undefined;
  let d: string | undefined;
  let r: RegExpExecArray | null;
  if ((r = DOB_COMPACT.exec(s))) [, y, m, d] = r;
  else if ((r = DOB_YEAR_FIRST.exec(s))) [, y, , m, d] = r;
  else if ((r = DOB_US.exec(s))) [, m, d, y] = r;
  else if ((r = DOB_DOTTED.exec(s))) [, d, m, y] = r;
  if (y === undefined || m === undefined || d === undefined) return null;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  // Latest calendar date anywhere on Earth (UTC+14), so a birth "today" in Kiribati is not rejected.
  const latest = new Date(now.getTime() + 14 * 3600 * 1000);
  const todayNum = latest.getUTCFullYear() * 10000 + (latest.getUTCMonth() + 1) * 100 + latest.getUTCDate();
  const dobNum = year * 10000 + month * 100 + day;
  if (dobNum > todayNum) return null;
  return String(dobNum);
}

function normalizeZip(s: string): string | null {
  const z = s.toLowerCase().replace(/[\s-]+/g, '');
  if (!/^[a-z0-9]{2,10}$/.test(z)) return null;
  // US ZIP+4 (separator already removed) → the 5-digit ZIP only.
  if (/^\d{9}$/.test(z)) return z.slice(0, 5);
  return z;
}

// ---------------------------------------------------------------------------------------------
// states / provinces

/** code → names (US states, DC, territories, freely associated states, armed forces, Canadian provinces and territories). */
const STATE_ROWS = `al Alabama
ak Alaska
az Arizona
ar Arkansas
ca California
co Colorado
ct Connecticut
de Delaware
fl Florida
ga Georgia
hi Hawaii
id Idaho
il Illinois
in Indiana
ia Iowa
ks Kansas
ky Kentucky
la Louisiana
me Maine
md Maryland
ma Massachusetts
mi Michigan
mn Minnesota
ms Mississippi
mo Missouri
mt Montana
ne Nebraska
nv Nevada
nh New Hampshire
nj New Jersey
nm New Mexico
ny New York/New York State
nc North Carolina
nd North Dakota
oh Ohio
ok Oklahoma
or Oregon
pa Pennsylvania
ri Rhode Island
sc South Carolina
sd South Dakota
tn Tennessee
tx Texas
ut Utah
vt Vermont
va Virginia
wa Washington/Washington State
wv West Virginia
wi Wisconsin
wy Wyoming
dc District of Columbia/Washington DC/Washington D.C.
as American Samoa
gu Guam
mp Northern Mariana Islands
pr Puerto Rico
vi U.S. Virgin Islands/US Virgin Islands/United States Virgin Islands/Virgin Islands
um United States Minor Outlying Islands/U.S. Minor Outlying Islands
fm Federated States of Micronesia/Micronesia
mh Marshall Islands
pw Palau
aa Armed Forces Americas
ae Armed Forces Europe
ap Armed Forces Pacific
ab Alberta
bc British Columbia
mb Manitoba
nb New Brunswick
nl Newfoundland and Labrador/Newfoundland
ns Nova Scotia
nt Northwest Territories
nu Nunavut
on Ontario
pe Prince Edward Island
qc Quebec
sk Saskatchewan
yt Yukon/Yukon Territory`;

function parseRows(rows: string, codeFields: number): Array<{ codes: string[]; names: string[] }> {
  return rows.split('\n').map((line) => {
    const parts = line.trim().split(' ');
    const codes = parts.slice(0, codeFields);
    const names = parts.slice(codeFields).join(' ').split('/');
    return { codes, names };
  });
}

const STATE_BY_NAME: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const { codes, names } of parseRows(STATE_ROWS, 1)) {
    const code = codes[0];
    if (code === undefined) continue;
    for (const name of names) map.set(asciiKey(name), code);
  }
  return map;
})();

function normalizeState(s: string): string | null {
  const letters = lettersOnly(s);
  if (/^[a-z]{2}$/.test(letters)) return letters;
  return STATE_BY_NAME.get(asciiKey(s)) ?? (letters || null);
}

// ---------------------------------------------------------------------------------------------
// countries: ISO 3166-1 (alpha-2, alpha-3, English short name / common aliases / a few native names)

const COUNTRY_ROWS = `af afg Afghanistan
ax ala Åland Islands/Aland
al alb Albania
dz dza Algeria
as asm American Samoa
ad and Andorra
ao ago Angola
ai aia Anguilla
aq ata Antarctica
ag atg Antigua and Barbuda/Antigua
ar arg Argentina
am arm Armenia
aw abw Aruba
au aus Australia
at aut Austria/Österreich
az aze Azerbaijan
bs bhs Bahamas
bh bhr Bahrain
bd bgd Bangladesh
bb brb Barbados
by blr Belarus
be bel Belgium/Belgique/België
bz blz Belize
bj ben Benin
bm bmu Bermuda
bt btn Bhutan
bo bol Bolivia/Plurinational State of Bolivia
bq bes Bonaire, Sint Eustatius and Saba/Caribbean Netherlands/Bonaire
ba bih Bosnia and Herzegovina/Bosnia
bw bwa Botswana
bv bvt Bouvet Island
br bra Brazil/Brasil
io iot British Indian Ocean Territory
bn brn Brunei Darussalam/Brunei
bg bgr Bulgaria
bf bfa Burkina Faso
bi bdi Burundi
cv cpv Cabo Verde/Cape Verde
kh khm Cambodia
cm cmr Cameroon
ca can Canada
ky cym Cayman Islands
cf caf Central African Republic
td tcd Chad
cl chl Chile
cn chn China/People's Republic of China/Mainland China
cx cxr Christmas Island
cc cck Cocos (Keeling) Islands/Cocos Islands
co col Colombia
km com Comoros
cg cog Congo/Republic of the Congo/Congo-Brazzaville
cd cod Democratic Republic of the Congo/DR Congo/DRC/Congo-Kinshasa
ck cok Cook Islands
cr cri Costa Rica
ci civ Côte d'Ivoire/Ivory Coast
hr hrv Croatia/Hrvatska
cu cub Cuba
cw cuw Curaçao
cy cyp Cyprus
cz cze Czechia/Czech Republic
dk dnk Denmark/Danmark
dj dji Djibouti
dm dma Dominica
do dom Dominican Republic
ec ecu Ecuador
eg egy Egypt
sv slv El Salvador
gq gnq Equatorial Guinea
er eri Eritrea
ee est Estonia
sz swz Eswatini/Swaziland
et eth Ethiopia
fk flk Falkland Islands (Malvinas)/Falkland Islands
fo fro Faroe Islands
fj fji Fiji
fi fin Finland/Suomi
fr fra France
gf guf French Guiana
pf pyf French Polynesia
tf atf French Southern Territories
ga gab Gabon
gm gmb Gambia
ge geo Georgia
de deu Germany/Deutschland
gh gha Ghana
gi gib Gibraltar
gr grc Greece/Hellas
gl grl Greenland
gd grd Grenada
gp glp Guadeloupe
gu gum Guam
gt gtm Guatemala
gg ggy Guernsey
gn gin Guinea
gw gnb Guinea-Bissau
gy guy Guyana
ht hti Haiti
hm hmd Heard Island and McDonald Islands
va vat Holy See/Vatican City/Vatican
hn hnd Honduras
hk hkg Hong Kong
hu hun Hungary/Magyarország
is isl Iceland
in ind India
id idn Indonesia
ir irn Iran/Islamic Republic of Iran
iq irq Iraq
ie irl Ireland/Republic of Ireland/Éire
im imn Isle of Man
il isr Israel
it ita Italy/Italia
jm jam Jamaica
jp jpn Japan
je jey Jersey
jo jor Jordan
kz kaz Kazakhstan
ke ken Kenya
ki kir Kiribati
kp prk North Korea/Democratic People's Republic of Korea/DPRK
kr kor South Korea/Republic of Korea/Korea
kw kwt Kuwait
kg kgz Kyrgyzstan
la lao Lao People's Democratic Republic/Laos
lv lva Latvia
lb lbn Lebanon
ls lso Lesotho
lr lbr Liberia
ly lby Libya
li lie Liechtenstein
lt ltu Lithuania
lu lux Luxembourg
mo mac Macao/Macau
mg mdg Madagascar
mw mwi Malawi
my mys Malaysia
mv mdv Maldives
ml mli Mali
mt mlt Malta
mh mhl Marshall Islands
mq mtq Martinique
mr mrt Mauritania
mu mus Mauritius
yt myt Mayotte
mx mex Mexico/México
fm fsm Micronesia/Federated States of Micronesia
md mda Moldova/Republic of Moldova
mc mco Monaco
mn mng Mongolia
me mne Montenegro
ms msr Montserrat
ma mar Morocco
mz moz Mozambique
mm mmr Myanmar/Burma
na nam Namibia
nr nru Nauru
np npl Nepal
nl nld Netherlands/Holland/Nederland
nc ncl New Caledonia
nz nzl New Zealand
ni nic Nicaragua
ne ner Niger
ng nga Nigeria
nu niu Niue
nf nfk Norfolk Island
mk mkd North Macedonia/Macedonia
mp mnp Northern Mariana Islands
no nor Norway/Norge
om omn Oman
pk pak Pakistan
pw plw Palau
ps pse Palestine/State of Palestine
pa pan Panama/Panamá
pg png Papua New Guinea
py pry Paraguay
pe per Peru/Perú
ph phl Philippines
pn pcn Pitcairn/Pitcairn Islands
pl pol Poland/Polska
pt prt Portugal
pr pri Puerto Rico
qa qat Qatar
re reu Réunion
ro rou Romania
ru rus Russia/Russian Federation
rw rwa Rwanda
bl blm Saint Barthélemy/St Barthélemy
sh shn Saint Helena, Ascension and Tristan da Cunha/Saint Helena
kn kna Saint Kitts and Nevis/St Kitts and Nevis
lc lca Saint Lucia/St Lucia
mf maf Saint Martin (French part)/Saint Martin
pm spm Saint Pierre and Miquelon
vc vct Saint Vincent and the Grenadines/St Vincent and the Grenadines
ws wsm Samoa
sm smr San Marino
st stp Sao Tome and Principe/São Tomé and Príncipe
sa sau Saudi Arabia
sn sen Senegal
rs srb Serbia
sc syc Seychelles
sl sle Sierra Leone
sg sgp Singapore
sx sxm Sint Maarten (Dutch part)/Sint Maarten
sk svk Slovakia
si svn Slovenia
sb slb Solomon Islands
so som Somalia
za zaf South Africa
gs sgs South Georgia and the South Sandwich Islands
ss ssd South Sudan
es esp Spain/España
lk lka Sri Lanka
sd sdn Sudan
sr sur Suriname
sj sjm Svalbard and Jan Mayen
se swe Sweden/Sverige
ch che Switzerland/Schweiz/Suisse/Svizzera
sy syr Syria/Syrian Arab Republic
tw twn Taiwan/Taiwan, Province of China
tj tjk Tajikistan
tz tza Tanzania/United Republic of Tanzania
th tha Thailand
tl tls Timor-Leste/East Timor
tg tgo Togo
tk tkl Tokelau
to ton Tonga
tt tto Trinidad and Tobago
tn tun Tunisia
tr tur Türkiye/Turkey
tm tkm Turkmenistan
tc tca Turks and Caicos Islands
tv tuv Tuvalu
ug uga Uganda
ua ukr Ukraine
ae are United Arab Emirates/UAE
gb gbr United Kingdom/United Kingdom of Great Britain and Northern Ireland/Great Britain/Britain/England/Scotland/Wales/Northern Ireland/UK
us usa United States/United States of America/America/U.S./U.S.A.
um umi United States Minor Outlying Islands
uy ury Uruguay
uz uzb Uzbekistan
vu vut Vanuatu
ve ven Venezuela/Bolivarian Republic of Venezuela/Venezuela (Bolivarian Republic of)
vn vnm Viet Nam/Vietnam
vg vgb British Virgin Islands/Virgin Islands (British)
vi vir United States Virgin Islands/U.S. Virgin Islands/US Virgin Islands/Virgin Islands (U.S.)/Virgin Islands of the United States
wf wlf Wallis and Futuna
eh esh Western Sahara
ye yem Yemen
zm zmb Zambia
zw zwe Zimbabwe
xk xkx Kosovo`;

function countryKey(s: string): string {
  return asciiKey(s.replace(/&/g, ' and ').replace(/^\s*the\s+/i, ''));
}

/** alpha-2 / alpha-3 / folded name → alpha-2. Codes win over names; the first name wins over later duplicates. */
const COUNTRY_LOOKUP: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const rows = parseRows(COUNTRY_ROWS, 2);
  for (const { codes } of rows) {
    const [a2, a3] = codes;
    if (a2 === undefined || a3 === undefined) continue;
    map.set(a2, a2);
    map.set(a3, a2);
  }
  map.set('uk', 'gb'); // exceptionally reserved ISO alpha-2 for the United Kingdom
  for (const { codes, names } of rows) {
    const a2 = codes[0];
    if (a2 === undefined) continue;
    for (const name of names) {
      const k = countryKey(name);
      if (k !== '' && !map.has(k)) map.set(k, a2);
    }
  }
  return map;
})();

/** Every alpha-2 country code this module knows (lowercase). */
export const COUNTRY_CODES: readonly string[] = parseRows(COUNTRY_ROWS, 2).map(({ codes }) => codes[0] ?? '');

function normalizeCountry(s: string): string | null {
  return COUNTRY_LOOKUP.get(countryKey(s)) ?? null;
}
