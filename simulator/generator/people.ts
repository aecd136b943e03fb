// Who the customers are: names, contact details and addresses by language, in the scripts people actually type
// (Thai and Japanese customers mostly enter their names in Thai or Japanese script).
import type { MailingAddress } from "../shop-file/types";
import type { CurrencyProfile } from "./money";
import type { Rng } from "./random";

export type Locale = "en" | "th" | "ja" | "es" | "fr" | "de";

/** [native script, romanised] — the romanised form feeds email addresses. */
type Name = readonly [string, string];

const FIRST_NAMES: Record<Locale, readonly Name[]> = {
  en: latin(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Emily Olivia Noah Liam Emma Ava Sophia Mason Ethan",
  ),
  th: [
    ["สมชาย", "Somchai"],
    ["สมศักดิ์", "Somsak"],
    ["สุดา", "Suda"],
    ["นภา", "Napha"],
    ["วิชัย", "Wichai"],
    ["ประเสริฐ", "Prasert"],
    ["มาลี", "Malee"],
    ["กัญญา", "Kanya"],
    ["ธนพล", "Thanaphon"],
    ["ปิยะ", "Piya"],
    ["อรุณ", "Arun"],
    ["จันทร์เพ็ญ", "Chanphen"],
    ["พิมพ์ชนก", "Phimchanok"],
    ["ณัฐวุฒิ", "Nattawut"],
    ["ศิริพร", "Siriporn"],
    ["อนุชา", "Anucha"],
    ["วรรณา", "Wanna"],
    ["ชัยวัฒน์", "Chaiwat"],
    ["สุภาพร", "Supaporn"],
    ["กิตติ", "Kitti"],
  ],
  ja: [
    ["陽翔", "Haruto"],
    ["蓮", "Ren"],
    ["結衣", "Yui"],
    ["さくら", "Sakura"],
    ["大翔", "Hiroto"],
    ["美咲", "Misaki"],
    ["翔太", "Shota"],
    ["花子", "Hanako"],
    ["健太", "Kenta"],
    ["愛", "Ai"],
    ["拓海", "Takumi"],
    ["陽菜", "Hina"],
    ["悠真", "Yuma"],
    ["葵", "Aoi"],
    ["太郎", "Taro"],
    ["真由美", "Mayumi"],
  ],
  es: latin("María José Juan Ana Luis Carmen Carlos Lucía Javier Sofía Miguel Elena Diego Isabel Alejandro Valentina"),
  fr: latin("Camille Louis Léa Hugo Chloé Jules Manon Gabriel Inès Arthur Élodie Thomas"),
  de: latin("Lukas Anna Leon Marie Finn Sophie Jonas Emma Paul Lena Felix Hannah"),
};

const LAST_NAMES: Record<Locale, readonly Name[]> = {
  en: latin(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott Green Baker O'Brien",
  ),
  th: [
    ["ศรีสุข", "Srisuk"],
    ["วงศ์สวัสดิ์", "Wongsawat"],
    ["แสงทอง", "Saengthong"],
    ["ใจดี", "Jaidee"],
    ["รุ่งเรือง", "Rungrueang"],
    ["บุญมา", "Boonma"],
    ["ทองดี", "Thongdee"],
    ["สุขสวัสดิ์", "Suksawat"],
    ["ชัยมงคล", "Chaimongkol"],
    ["พรหมมา", "Phromma"],
    ["กิตติศักดิ์", "Kittisak"],
    ["เพชรรัตน์", "Phetcharat"],
    ["ศรีวงศ์", "Sriwong"],
    ["มั่นคง", "Mankhong"],
    ["นาคสุข", "Naksuk"],
    ["อินทร์แก้ว", "Inkaew"],
  ],
  ja: [
    ["佐藤", "Sato"],
    ["鈴木", "Suzuki"],
    ["高橋", "Takahashi"],
    ["田中", "Tanaka"],
    ["伊藤", "Ito"],
    ["渡辺", "Watanabe"],
    ["山本", "Yamamoto"],
    ["中村", "Nakamura"],
    ["小林", "Kobayashi"],
    ["加藤", "Kato"],
    ["吉田", "Yoshida"],
    ["山田", "Yamada"],
    ["佐々木", "Sasaki"],
    ["松本", "Matsumoto"],
    ["井上", "Inoue"],
    ["木村", "Kimura"],
  ],
  es: latin(
    "García Martínez López Hernández González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Morales Ortiz Vargas",
  ),
  fr: latin("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Lefèvre Girard"),
  de: latin("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter"),
};

function latin(names: string): Name[] {
  return names.split(" ").map((n) => [n, n] as const);
}

/** Share of customers by language, given the shop's home market. Every shop has some Thai customers. */
export function localeMix(currency: CurrencyProfile): [Locale, number][] {
  switch (currency.homeCountry) {
    case "JP":
      return [
        ["ja", 0.62],
        ["en", 0.16],
        ["th", 0.15],
        ["es", 0.04],
        ["fr", 0.03],
      ];
    case "TH":
      return [
        ["th", 0.78],
        ["en", 0.14],
        ["ja", 0.08],
      ];
    case "DE":
      return [
        ["de", 0.55],
        ["fr", 0.18],
        ["en", 0.14],
        ["es", 0.06],
        ["th", 0.07],
      ];
    case "GB":
      return [
        ["en", 0.74],
        ["th", 0.08],
        ["ja", 0.05],
        ["fr", 0.07],
        ["de", 0.06],
      ];
    case "US":
    default:
      return [
        ["en", 0.6],
        ["th", 0.12],
        ["es", 0.12],
        ["ja", 0.08],
        ["fr", 0.04],
        ["de", 0.04],
      ];
  }
}

export interface Person {
  locale: Locale;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  address: MailingAddress | null;
  /** Country of the address (or of the customer's language when there is none): drives US sales tax. */
  country: string;
  /** US sales tax rate of the address, basis points; 0 outside the US. */
  salesTaxBasisPoints: number;
}

export function makePerson(rng: Rng, locale: Locale, currency: CurrencyProfile, serial: number): Person {
  const first = rng.pick(FIRST_NAMES[locale]);
  const last = rng.pick(LAST_NAMES[locale]);
  // Some Thai and Japanese customers type their name in Latin letters.
  const native = !(locale === "th" || locale === "ja") || rng.chance(0.82);
  let firstName: string | null = native ? first[0] : first[1];
  const lastName: string | null = rng.chance(0.02) ? null : native ? last[0] : last[1];
  if (rng.chance(0.01)) firstName = null;
  const email = rng.chance(0.97) ? `${slug(first[1])}.${slug(last[1])}${serial}@${rng.pick(EMAIL_DOMAINS)}` : null;
  const place = placeFor(rng, locale, currency);
  const phone = email === null || rng.chance(0.35) ? phoneFor(rng, place.country, serial) : null;
  const address = rng.chance(0.9) ? addressIn(rng, place, phone) : null;
  return {
    locale,
    firstName,
    lastName,
    email,
    phone,
    address,
    country: place.country,
    salesTaxBasisPoints: place.country === "US" ? (place.taxBasisPoints ?? 0) : 0,
  };
}

/** A guest checkout's email, or null for the few checkouts without one (phone-only, POS). */
export function guestEmail(rng: Rng, serial: number): string | null {
  if (rng.chance(0.12)) return null;
  const first = rng.pick(FIRST_NAMES.en)[1];
  return `${slug(first)}.guest${serial}@${rng.pick(EMAIL_DOMAINS)}`;
}

// Reserved example domains only: nothing generated can reach a real mailbox.
const EMAIL_DOMAINS = ["example.com", "example.net", "example.org"];

function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

interface Place {
  country: string;
  countryName: string;
  city: string;
  province: string | null;
  provinceCode: string | null;
  zips: readonly string[];
  streets: readonly string[];
  format: "western" | "thai" | "japanese";
  taxBasisPoints?: number;
}

const PLACES: Record<string, readonly Place[]> = {
  US: [
    us("New York", "New York", "NY", ["10001", "10013", "10024"], 888),
    us("Los Angeles", "California", "CA", ["90012", "90026", "90046"], 950),
    us("Chicago", "Illinois", "IL", ["60601", "60614", "60647"], 1025),
    us("Houston", "Texas", "TX", ["77002", "77006", "77019"], 825),
    us("Austin", "Texas", "TX", ["78701", "78704"], 825),
    us("Seattle", "Washington", "WA", ["98101", "98103", "98122"], 1035),
    us("Denver", "Colorado", "CO", ["80202", "80205"], 881),
    us("Boston", "Massachusetts", "MA", ["02108", "02116"], 625),
    us("Miami", "Florida", "FL", ["33130", "33139"], 700),
    us("Portland", "Oregon", "OR", ["97201", "97209"], 0),
    us("Atlanta", "Georgia", "GA", ["30303", "30308"], 890),
  ],
  TH: [
    th(
      "Bangkok",
      "Bangkok",
      "TH-10",
      ["10110", "10330", "10500", "10400", "10900"],
      ["ถนนสุขุมวิท", "ถนนพระราม 4", "ถนนสีลม", "ถนนพหลโยธิน", "ซอยอารีย์ 2", "ถนนรัชดาภิเษก", "ซอยทองหล่อ 10"],
    ),
    th(
      "Chiang Mai",
      "Chiang Mai",
      "TH-50",
      ["50000", "50200", "50300"],
      ["ถนนนิมมานเหมินท์", "ถนนห้วยแก้ว", "ถนนช้างคลาน", "ถนนเจริญราษฎร์"],
    ),
    th("Phuket", "Phuket", "TH-83", ["83000", "83100"], ["ถนนเทพกระษัตรี", "ถนนถลาง"]),
    th("Khon Kaen", "Khon Kaen", "TH-40", ["40000", "40002"], ["ถนนมิตรภาพ", "ถนนศรีจันทร์"]),
    th("Nonthaburi", "Nonthaburi", "TH-12", ["11000", "11120"], ["ถนนงามวงศ์วาน", "ถนนรัตนาธิเบศร์"]),
  ],
  JP: [
    jp("渋谷区", "Tokyo", "JP-13", ["150-0002", "150-0041"], ["神南", "道玄坂", "恵比寿"]),
    jp("新宿区", "Tokyo", "JP-13", ["160-0022", "160-0023"], ["新宿", "西新宿"]),
    jp("大阪市北区", "Osaka", "JP-27", ["530-0001", "530-0012"], ["梅田", "芝田"]),
    jp("京都市中京区", "Kyoto", "JP-26", ["604-8005", "604-8142"], ["河原町", "錦小路"]),
    jp("福岡市中央区", "Fukuoka", "JP-40", ["810-0001", "810-0041"], ["天神", "大名"]),
    jp("札幌市中央区", "Hokkaido", "JP-01", ["060-0001", "060-0061"], ["北一条西", "南一条西"]),
  ],
  ES: [
    eu("ES", "Spain", "Madrid", "Madrid", "M", ["28001", "28013"], ["Calle de Alcalá", "Gran Vía", "Calle Mayor"]),
    eu("ES", "Spain", "Barcelona", "Barcelona", "B", ["08001", "08010"], ["Carrer de Balmes", "Passeig de Gràcia"]),
  ],
  FR: [
    eu("FR", "France", "Paris", null, null, ["75001", "75011", "75015"], ["Rue de Rivoli", "Boulevard Voltaire"]),
    eu("FR", "France", "Lyon", null, null, ["69001", "69003"], ["Rue de la République", "Cours Lafayette"]),
  ],
  DE: [
    eu("DE", "Germany", "Berlin", null, null, ["10115", "10245"], ["Torstraße", "Kastanienallee"]),
    eu("DE", "Germany", "München", null, null, ["80331", "80469"], ["Sendlinger Straße", "Müllerstraße"]),
    eu("DE", "Germany", "Hamburg", null, null, ["20095", "22767"], ["Mönckebergstraße", "Große Bergstraße"]),
  ],
  GB: [
    eu(
      "GB",
      "United Kingdom",
      "London",
      "England",
      "ENG",
      ["EC1A 1BB", "SW1A 2AA", "N1 9GU"],
      ["High Street", "Station Road"],
    ),
    eu("GB", "United Kingdom", "Manchester", "England", "ENG", ["M1 1AE", "M4 1HQ"], ["Oldham Street", "Deansgate"]),
    eu(
      "GB",
      "United Kingdom",
      "Edinburgh",
      "Scotland",
      "SCT",
      ["EH1 1YZ", "EH3 9DR"],
      ["Princes Street", "Leith Walk"],
    ),
  ],
};

function us(city: string, province: string, code: string, zips: string[], taxBasisPoints: number): Place {
  const streets = [
    "Main St",
    "Oak Ave",
    "Maple St",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Blvd",
    "Lake Dr",
    "Park Ave",
  ];
  return {
    country: "US",
    countryName: "United States",
    city,
    province,
    provinceCode: code,
    zips,
    streets,
    format: "western",
    taxBasisPoints,
  };
}
function th(city: string, province: string, code: string, zips: string[], streets: string[]): Place {
  return { country: "TH", countryName: "Thailand", city, province, provinceCode: code, zips, streets, format: "thai" };
}
function jp(city: string, province: string, code: string, zips: string[], streets: string[]): Place {
  return { country: "JP", countryName: "Japan", city, province, provinceCode: code, zips, streets, format: "japanese" };
}
function eu(
  country: string,
  countryName: string,
  city: string,
  province: string | null,
  code: string | null,
  zips: string[],
  streets: string[],
): Place {
  return { country, countryName, city, province, provinceCode: code, zips, streets, format: "western" };
}

function placeFor(rng: Rng, locale: Locale, currency: CurrencyProfile): Place {
  const byLocale: Record<Locale, string> = {
    en: currency.homeCountry === "GB" ? "GB" : "US",
    th: "TH",
    ja: "JP",
    es: currency.homeCountry === "DE" ? "ES" : "US",
    fr: currency.homeCountry === "US" ? "US" : "FR",
    de: currency.homeCountry === "US" ? "US" : "DE",
  };
  return rng.pick(PLACES[byLocale[locale]]);
}

function addressIn(rng: Rng, place: Place, phone: string | null): MailingAddress {
  let address1: string;
  let address2: string | null = null;
  const street = rng.pick(place.streets);
  if (place.format === "thai") {
    address1 = `${rng.int(1, 999)}/${rng.int(1, 99)} ${street}`;
    if (rng.chance(0.3)) address2 = `ห้อง ${rng.int(101, 2499)}`;
  } else if (place.format === "japanese") {
    address1 = `${street}${rng.int(1, 4)}-${rng.int(1, 30)}-${rng.int(1, 20)}`;
    if (rng.chance(0.35)) address2 = `${rng.int(101, 1205)}号室`;
  } else {
    address1 =
      place.country === "US" || place.country === "GB"
        ? `${rng.int(1, 9_999)} ${street}`
        : `${street} ${rng.int(1, 180)}`;
    if (rng.chance(0.25)) address2 = `Apt ${rng.int(1, 40)}${rng.pick(["A", "B", "C", ""])}`;
  }
  return {
    address1,
    address2,
    city: place.city,
    province: place.province,
    provinceCode: place.provinceCode,
    country: place.countryName,
    countryCodeV2: place.country,
    zip: rng.pick(place.zips),
    phone,
  };
}

/** Phone numbers in fictional-looking ranges; the serial is encoded in the digits, so they are unique. */
function phoneFor(rng: Rng, country: string, serial: number): string {
  const eight = String(serial % 100_000_000).padStart(8, "0");
  switch (country) {
    case "TH":
      return `+66${rng.pick(["8", "9", "6"])}${eight}`;
    case "JP":
      return `+81${rng.pick(["90", "80", "70"])}${eight}`;
    case "GB":
      return `+447${eight.slice(0, 1)}00${eight.slice(1)}`;
    case "US":
      return `+1${201 + (Math.floor(serial / 10_000) % 789)}555${eight.slice(4)}`;
    default:
      return `+${rng.pick(["33", "34", "49"])}6${eight}`;
  }
}
