/**
 * The word lists of the demo company (`kamerton demo`, src/app/demo.ts): Polish company names by
 * industry, cities and their voivodeships, first and last names with their gender forms, job titles
 * and departments, competitors, tender titles and reasons, and the phrases the dossiers are assembled
 * from; also the NIP check digit and the plain-ASCII form of a Polish word (for e-mail addresses and
 * web domains).
 *
 * The demo's user of Kamerton is a distributor of packaging, technical chemicals and workwear (BHP)
 * selling to companies of every industry, so its accounts, competitors and tenders are about those.
 * Every company and person here is invented: a likeness to a real one is chance.
 */
import type { BUYING_ROLES } from '../db/schema/index.ts';

/** The domain of the demo users' e-mail addresses. */
export const DEMO_EMAIL_DOMAIN = 'demo.kamerton.pl';

export type Gender = 'f' | 'm';

/** A title with its feminine form where Polish has one in use ("Asystent" / "Asystentka"). */
export type Title = { m: string; f?: string };

// ---------------------------------------------------------------------------------------------------
// People.

export const FIRST_NAMES: Record<Gender, readonly string[]> = {
  m: [
    'Adam', 'Andrzej', 'Artur', 'Bartosz', 'Damian', 'Dariusz', 'Dominik', 'Filip', 'Grzegorz', 'Hubert',
    'Jacek', 'Jakub', 'Jan', 'Janusz', 'Jarosław', 'Kamil', 'Krzysztof', 'Leszek', 'Łukasz', 'Maciej',
    'Marcin', 'Marek', 'Mariusz', 'Mateusz', 'Michał', 'Paweł', 'Piotr', 'Przemysław', 'Radosław', 'Rafał',
    'Robert', 'Ryszard', 'Sebastian', 'Sławomir', 'Stanisław', 'Szymon', 'Tomasz', 'Waldemar', 'Wojciech', 'Zbigniew',
  ],
  f: [
    'Agata', 'Agnieszka', 'Aleksandra', 'Alicja', 'Anna', 'Barbara', 'Beata', 'Dominika', 'Dorota', 'Edyta',
    'Elżbieta', 'Emilia', 'Ewa', 'Grażyna', 'Halina', 'Ilona', 'Iwona', 'Izabela', 'Joanna', 'Jolanta',
    'Julia', 'Justyna', 'Karolina', 'Katarzyna', 'Kinga', 'Magdalena', 'Małgorzata', 'Marta', 'Marzena', 'Monika',
    'Natalia', 'Patrycja', 'Paulina', 'Renata', 'Sylwia', 'Teresa', 'Urszula', 'Weronika', 'Wioletta', 'Zofia',
  ],
};

/** Family names in their masculine form; `surnameFor` gives the feminine one. */
export const SURNAMES: readonly string[] = [
  'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak',
  'Dąbrowski', 'Kozłowski', 'Jankowski', 'Mazur', 'Wojciechowski', 'Kwiatkowski', 'Krawczyk', 'Kaczmarek', 'Piotrowski', 'Grabowski',
  'Zając', 'Pawłowski', 'Michalski', 'Król', 'Wieczorek', 'Jabłoński', 'Wróbel', 'Nowakowski', 'Majewski', 'Olszewski',
  'Stępień', 'Malinowski', 'Jaworski', 'Adamczyk', 'Dudek', 'Nowicki', 'Pawlak', 'Górski', 'Witkowski', 'Walczak',
  'Sikora', 'Baran', 'Rutkowski', 'Michalak', 'Szewczyk', 'Ostrowski', 'Tomaszewski', 'Pietrzak', 'Zalewski', 'Wróblewski',
  'Marciniak', 'Jasiński', 'Zawadzki', 'Bąk', 'Jakubowski', 'Sadowski', 'Duda', 'Włodarczyk', 'Wilk', 'Chmielewski',
  'Borkowski', 'Sokołowski', 'Szczepański', 'Sawicki', 'Lis', 'Kucharski', 'Kalinowski', 'Wysocki', 'Mazurek', 'Kubiak',
  'Kołodziej', 'Czarnecki', 'Sobczak', 'Konieczny', 'Głowacki', 'Zakrzewski', 'Urbański', 'Sowa', 'Biały', 'Cieślak',
];

/**
 * The family name as a person of `gender` bears it. Polish surnames that are adjectives agree with
 * the bearer: -ski, -cki, -dzki become -ska, -cka, -dzka, and -ny, -ły become -na, -ła (Kowalski,
 * Kowalska; Konieczny, Konieczna; Biały, Biała). Nouns stay as they are (Nowak, Duda, Sowa).
 */
export function surnameFor(surname: string, gender: Gender): string {
  if (gender === 'm') return surname;
  if (/(?:sk|ck|dzk)i$/.test(surname)) return `${surname.slice(0, -1)}a`;
  if (/[nł]y$/.test(surname)) return `${surname.slice(0, -1)}a`;
  return surname;
}

/** The title as a person of `gender` bears it. */
export function titleFor(title: Title, gender: Gender): string {
  return gender === 'f' ? title.f ?? title.m : title.m;
}

/**
 * The word in plain ASCII, lower case: Polish letters lose their diacritics (ł, which has none to
 * lose in Unicode's decomposition, becomes l), anything but letters and digits becomes a hyphen.
 */
export function asciiSlug(text: string): string {
  return text
    .replace(/ł/g, 'l').replace(/Ł/g, 'L')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------------
// Places.

/** A city, its voivodeship (the region field) and its landline area code. */
export type City = { name: string; voivodeship: string; areaCode: string; weight: number };

export const CITIES: readonly City[] = [
  { name: 'Warszawa', voivodeship: 'mazowieckie', areaCode: '22', weight: 14 },
  { name: 'Kraków', voivodeship: 'małopolskie', areaCode: '12', weight: 7 },
  { name: 'Łódź', voivodeship: 'łódzkie', areaCode: '42', weight: 5 },
  { name: 'Wrocław', voivodeship: 'dolnośląskie', areaCode: '71', weight: 7 },
  { name: 'Poznań', voivodeship: 'wielkopolskie', areaCode: '61', weight: 7 },
  { name: 'Gdańsk', voivodeship: 'pomorskie', areaCode: '58', weight: 5 },
  { name: 'Gdynia', voivodeship: 'pomorskie', areaCode: '58', weight: 2 },
  { name: 'Szczecin', voivodeship: 'zachodniopomorskie', areaCode: '91', weight: 3 },
  { name: 'Bydgoszcz', voivodeship: 'kujawsko-pomorskie', areaCode: '52', weight: 3 },
  { name: 'Toruń', voivodeship: 'kujawsko-pomorskie', areaCode: '56', weight: 2 },
  { name: 'Lublin', voivodeship: 'lubelskie', areaCode: '81', weight: 3 },
  { name: 'Puławy', voivodeship: 'lubelskie', areaCode: '81', weight: 1 },
  { name: 'Białystok', voivodeship: 'podlaskie', areaCode: '85', weight: 2 },
  { name: 'Łomża', voivodeship: 'podlaskie', areaCode: '86', weight: 1 },
  { name: 'Katowice', voivodeship: 'śląskie', areaCode: '32', weight: 6 },
  { name: 'Gliwice', voivodeship: 'śląskie', areaCode: '32', weight: 2 },
  { name: 'Bielsko-Biała', voivodeship: 'śląskie', areaCode: '33', weight: 2 },
  { name: 'Częstochowa', voivodeship: 'śląskie', areaCode: '34', weight: 1 },
  { name: 'Tychy', voivodeship: 'śląskie', areaCode: '32', weight: 1 },
  { name: 'Opole', voivodeship: 'opolskie', areaCode: '77', weight: 2 },
  { name: 'Kędzierzyn-Koźle', voivodeship: 'opolskie', areaCode: '77', weight: 1 },
  { name: 'Kielce', voivodeship: 'świętokrzyskie', areaCode: '41', weight: 2 },
  { name: 'Rzeszów', voivodeship: 'podkarpackie', areaCode: '17', weight: 3 },
  { name: 'Mielec', voivodeship: 'podkarpackie', areaCode: '17', weight: 1 },
  { name: 'Stalowa Wola', voivodeship: 'podkarpackie', areaCode: '15', weight: 1 },
  { name: 'Olsztyn', voivodeship: 'warmińsko-mazurskie', areaCode: '89', weight: 2 },
  { name: 'Elbląg', voivodeship: 'warmińsko-mazurskie', areaCode: '55', weight: 1 },
  { name: 'Zielona Góra', voivodeship: 'lubuskie', areaCode: '68', weight: 1 },
  { name: 'Gorzów Wielkopolski', voivodeship: 'lubuskie', areaCode: '95', weight: 1 },
  { name: 'Radom', voivodeship: 'mazowieckie', areaCode: '48', weight: 1 },
  { name: 'Płock', voivodeship: 'mazowieckie', areaCode: '24', weight: 1 },
  { name: 'Siedlce', voivodeship: 'mazowieckie', areaCode: '25', weight: 1 },
  { name: 'Kalisz', voivodeship: 'wielkopolskie', areaCode: '62', weight: 1 },
  { name: 'Swarzędz', voivodeship: 'wielkopolskie', areaCode: '61', weight: 1 },
  { name: 'Kępno', voivodeship: 'wielkopolskie', areaCode: '62', weight: 1 },
  { name: 'Konin', voivodeship: 'wielkopolskie', areaCode: '63', weight: 1 },
  { name: 'Legnica', voivodeship: 'dolnośląskie', areaCode: '76', weight: 1 },
  { name: 'Wałbrzych', voivodeship: 'dolnośląskie', areaCode: '74', weight: 1 },
  { name: 'Koszalin', voivodeship: 'zachodniopomorskie', areaCode: '94', weight: 1 },
  { name: 'Słupsk', voivodeship: 'pomorskie', areaCode: '59', weight: 1 },
  { name: 'Tarnów', voivodeship: 'małopolskie', areaCode: '14', weight: 1 },
  { name: 'Nowy Sącz', voivodeship: 'małopolskie', areaCode: '18', weight: 1 },
  { name: 'Piotrków Trybunalski', voivodeship: 'łódzkie', areaCode: '44', weight: 1 },
  { name: 'Kutno', voivodeship: 'łódzkie', areaCode: '24', weight: 1 },
];

// ---------------------------------------------------------------------------------------------------
// Companies.

/**
 * The invented words company names are made of: trade-name roots that fit any company ("Wartex"),
 * each industry's own (Industry.roots: "Sanbud" builds, "Chemos" mixes), and Polish nouns used as
 * brand names ("Jantar").
 */
export const NAME_ROOTS: readonly string[] = [
  'Wartex', 'Polmar', 'Domax', 'Tarnex', 'Lubex', 'Nidex', 'Jantex', 'Vistal', 'Pomex', 'Silvar',
  'Novapol', 'Rawex', 'Tęcza', 'Kalmar', 'Borex', 'Odrapol', 'Karpol', 'Bialpol', 'Elkom', 'Galmet',
];

export const NAME_WORDS: readonly string[] = [
  'Orzeł', 'Sokół', 'Dąb', 'Jantar', 'Bałtyk', 'Tatry', 'Mazur', 'Warta', 'Odra', 'Wisła',
  'Podhale', 'Sudety', 'Kaszuby', 'Jawor', 'Lipa', 'Klon', 'Żuraw', 'Bursztyn', 'Kormoran', 'Wrzos',
  'Jaskółka', 'Sosna', 'Brzoza', 'Modrzew', 'Granit', 'Kryształ', 'Zorza', 'Pomorze', 'Roztocze', 'Ponidzie',
];

/** Legal forms and how often they occur. A name pattern ending in "!" carries its own form (a cooperative). */
export const LEGAL_FORMS: readonly { form: string; weight: number }[] = [
  { form: 'sp. z o.o.', weight: 60 },
  { form: 'S.A.', weight: 12 },
  { form: 'sp.k.', weight: 9 },
  { form: 'sp. j.', weight: 10 },
  { form: 'sp. z o.o. sp.k.', weight: 9 },
];

/** A position in a client company: its title, department, where it sits and the buying roles it plays. */
export type Position = {
  title: Title;
  department: string;
  /** Who the person reports to: the top of the company or one of the directors' areas. */
  boss: 'top' | DirectorArea;
  /** Buying roles with their weights. */
  roles: readonly (readonly [BuyingRoleName, number])[];
  influence: readonly [number, number];
};

export type DirectorArea = 'purchasing' | 'finance' | 'operations' | 'production' | 'sales';

export type BuyingRoleName = (typeof BUYING_ROLES)[number];

export type Director = { area: DirectorArea; title: Title; department: string; roles: readonly (readonly [BuyingRoleName, number])[] };

/** The top of a client company: the decision-maker the reports-to lines lead up to. */
export const TOP_TITLES: readonly Title[] = [
  { m: 'Prezes Zarządu' }, { m: 'Prezes Zarządu' }, { m: 'Prezes Zarządu' }, { m: 'Dyrektor Generalny' },
  { m: 'Właściciel', f: 'Właścicielka' },
];

export const DIRECTORS: readonly Director[] = [
  { area: 'purchasing', title: { m: 'Dyrektor Zakupów' }, department: 'Dział Zakupów', roles: [['economic-buyer', 6], ['influencer', 2], ['blocker', 1]] },
  { area: 'finance', title: { m: 'Dyrektor Finansowy' }, department: 'Dział Finansowy', roles: [['economic-buyer', 4], ['influencer', 3], ['blocker', 2]] },
  { area: 'operations', title: { m: 'Dyrektor Operacyjny' }, department: 'Operacje', roles: [['influencer', 5], ['technical-buyer', 3], ['economic-buyer', 1]] },
  { area: 'production', title: { m: 'Dyrektor Produkcji' }, department: 'Produkcja', roles: [['technical-buyer', 5], ['influencer', 3]] },
  { area: 'sales', title: { m: 'Członek Zarządu ds. Handlowych' }, department: 'Zarząd', roles: [['influencer', 5], ['other', 1]] },
];

/** Positions below the directors that every kind of company has. */
export const COMMON_POSITIONS: readonly Position[] = [
  { title: { m: 'Kierownik Zakupów' }, department: 'Dział Zakupów', boss: 'purchasing', roles: [['economic-buyer', 3], ['champion', 2], ['user', 2]], influence: [3, 4] },
  { title: { m: 'Specjalista ds. Zakupów', f: 'Specjalistka ds. Zakupów' }, department: 'Dział Zakupów', boss: 'purchasing', roles: [['user', 4], ['champion', 2], ['gatekeeper', 1]], influence: [2, 3] },
  { title: { m: 'Kupiec' }, department: 'Dział Zakupów', boss: 'purchasing', roles: [['user', 4], ['champion', 1]], influence: [2, 3] },
  { title: { m: 'Główny Księgowy', f: 'Główna Księgowa' }, department: 'Dział Finansowy', boss: 'finance', roles: [['influencer', 2], ['blocker', 1], ['other', 2]], influence: [2, 3] },
  { title: { m: 'Kierownik Logistyki' }, department: 'Logistyka', boss: 'operations', roles: [['user', 4], ['influencer', 2]], influence: [2, 3] },
  { title: { m: 'Kierownik Magazynu' }, department: 'Logistyka', boss: 'operations', roles: [['user', 5], ['champion', 1]], influence: [1, 3] },
  { title: { m: 'Specjalista ds. BHP', f: 'Specjalistka ds. BHP' }, department: 'BHP', boss: 'operations', roles: [['technical-buyer', 4], ['influencer', 2]], influence: [2, 4] },
  { title: { m: 'Kierownik Działu Jakości' }, department: 'Dział Jakości', boss: 'production', roles: [['technical-buyer', 4], ['blocker', 1], ['influencer', 2]], influence: [3, 4] },
  { title: { m: 'Kierownik Utrzymania Ruchu' }, department: 'Utrzymanie Ruchu', boss: 'production', roles: [['technical-buyer', 3], ['user', 3]], influence: [2, 4] },
  { title: { m: 'Asystent Zarządu', f: 'Asystentka Zarządu' }, department: 'Zarząd', boss: 'top', roles: [['gatekeeper', 6], ['other', 1]], influence: [1, 2] },
];

/** A kind of company within an industry: what it does, where, and what it buys from the demo's company. */
export type CompanyKind = {
  /** Name patterns of this kind only, beside the industry's (see Industry.patterns). */
  patterns: readonly string[];
  what: string;
  sites: readonly string[];
  /** In the accusative, after "Kupuje od nas". */
  buys: readonly string[];
};

/** An industry: how its companies are named, what they do, who works there. */
export type Industry = {
  name: string;
  weight: number;
  /**
   * Name patterns that fit every kind of the industry: {root} a trade-name root, {word} a noun used as
   * a brand, {surname} a family name; "!" at the end: the name carries its own legal form.
   */
  patterns: readonly string[];
  /** Trade-name roots of this industry, beside the common NAME_ROOTS. */
  roots: readonly string[];
  kinds: readonly CompanyKind[];
  markets: readonly string[];
  /** Positions particular to the industry, beside the common ones. */
  positions: readonly Position[];
  /** Whether the company has production (a production director, a quality department). */
  production: boolean;
};

export const INDUSTRIES: readonly Industry[] = [
  {
    name: 'Budownictwo',
    weight: 11,
    patterns: ['{root} Budownictwo', 'Przedsiębiorstwo Budowlane {word}', '{surname} Budowa'],
    roots: ['Sanbud', 'Wisbud', 'Mazbud', 'Probud', 'Kombud', 'Marbud', 'Termobud'],
    kinds: [
      { patterns: [], what: 'Generalny wykonawca obiektów przemysłowych i magazynowych', sites: ['kilkanaście budów jednocześnie w całym kraju', 'baza sprzętowa i magazyn centralny'], buys: ['odzież roboczą, kaski i obuwie ochronne', 'folię budowlaną i taśmy'] },
      { patterns: ['Przedsiębiorstwo Robót Drogowych {root}', '{root} Drogi i Mosty'], what: 'Wykonawca robót drogowych i mostowych dla samorządów i GDDKiA', sites: ['baza sprzętowa i wytwórnia mas bitumicznych', 'trzy oddziały regionalne'], buys: ['kamizelki odblaskowe i odzież ostrzegawczą', 'sorbenty i czyściwa dla bazy sprzętowej'] },
      { patterns: ['{root} Deweloper', '{root} Development'], what: 'Deweloper i wykonawca osiedli mieszkaniowych', sites: ['kilka budów osiedli w regionie', 'biuro sprzedaży i magazyn budowy'], buys: ['rękawice i środki ochrony indywidualnej dla podwykonawców', 'folię budowlaną i taśmy'] },
    ],
    markets: [
      'Rynek zależy od przetargów publicznych; po spowolnieniu inwestycji samorządowych portfel zleceń znów rośnie.',
      'Wysokie ceny materiałów i brak rąk do pracy ściskają marże; firma szuka oszczędności w zakupach pomocniczych.',
    ],
    positions: [
      { title: { m: 'Kierownik Budowy' }, department: 'Realizacja', boss: 'operations', roles: [['user', 4], ['influencer', 2]], influence: [2, 4] },
      { title: { m: 'Kierownik Kontraktu' }, department: 'Realizacja', boss: 'operations', roles: [['influencer', 3], ['technical-buyer', 2]], influence: [3, 4] },
    ],
    production: false,
  },
  {
    name: 'Przetwórstwo spożywcze',
    weight: 14,
    patterns: ['{root} Foods'],
    roots: ['Sadex', 'Owocpol', 'Mlekomar', 'Piekpol', 'Smakpol'],
    kinds: [
      { patterns: ['Zakłady Mięsne {surname}', 'Masarnia {word}'], what: 'Producent wędlin i wyrobów garmażeryjnych dla sieci handlowych', sites: ['dwa zakłady produkcyjne i chłodnia', 'zakład produkcyjny i centrum dystrybucyjne'], buys: ['folię stretch, kartony klapowe i tacki', 'chemię do mycia linii CIP i środki dezynfekcyjne'] },
      { patterns: ['Mleczarnia {word}', 'Okręgowa Spółdzielnia Mleczarska {word}!'], what: 'Producent serów, jogurtów i masła', sites: ['zakład produkcyjny z własnym laboratorium', 'zakład produkcyjny i punkty skupu mleka'], buys: ['chemię do mycia linii CIP i środki dezynfekcyjne', 'odzież i obuwie dla pracowników produkcji'] },
      { patterns: ['Przetwórnia Owoców {word}', 'Chłodnia {word}'], what: 'Przetwórca owoców i warzyw: mrożonki, soki, przeciery', sites: ['zakład produkcyjny i mroźnia', 'zakład produkcyjny i przechowalnia owoców'], buys: ['kartony i worki na mrożonki', 'folię stretch i narożniki do palet'] },
      { patterns: ['Piekarnie {surname}', 'Piekarnia {word}'], what: 'Sieć piekarni rzemieślniczych z własną produkcją ciast', sites: ['piekarnia centralna i kilkanaście sklepów firmowych', 'dwie piekarnie i flota dostawcza'], buys: ['torby papierowe i opakowania na pieczywo', 'środki czystości i odzież dla piekarzy'] },
    ],
    markets: [
      'Sieci handlowe dyktują ceny i terminy płatności; klient rozwija markę własną, by uniezależnić się od nich.',
      'Eksport do Niemiec i Czech rośnie; audyty IFS i BRC wymagają udokumentowanej chemii i opakowań z certyfikatami.',
    ],
    positions: [
      { title: { m: 'Główny Technolog' }, department: 'Technologia', boss: 'production', roles: [['technical-buyer', 5], ['influencer', 2]], influence: [3, 5] },
      { title: { m: 'Kierownik Zmiany' }, department: 'Produkcja', boss: 'production', roles: [['user', 5]], influence: [1, 2] },
    ],
    production: true,
  },
  {
    name: 'Części samochodowe',
    weight: 9,
    patterns: ['{root} Automotive', 'Auto-{root}', '{root} Components'],
    roots: ['Techmot', 'Bielmot', 'Kartech', 'Plastimex', 'Motoprim'],
    kinds: [
      { patterns: ['Zakład Tworzyw Sztucznych {root}', '{root} Plastics'], what: 'Producent elementów z tworzyw sztucznych dla dostawców pierwszego rzędu', sites: ['zakład produkcyjny w specjalnej strefie ekonomicznej', 'wtryskownia i narzędziownia'], buys: ['opakowania zwrotne i przekładki', 'rękawice antyprzecięciowe i okulary ochronne'] },
      { patterns: ['{root} Electric', '{root} Kable'], what: 'Producent wiązek elektrycznych i złączy', sites: ['dwie hale produkcyjne i magazyn wysokiego składowania', 'zakład produkcyjny w specjalnej strefie ekonomicznej'], buys: ['opakowania antystatyczne', 'rękawice i odzież ESD'] },
      { patterns: ['{root} Precision', 'Tłocznia {word}'], what: 'Producent części tłoczonych i spawanych podzespołów', sites: ['tłocznia i spawalnia', 'dwie hale produkcyjne'], buys: ['smary, oleje i czyściwa do utrzymania ruchu', 'rękawice antyprzecięciowe i okulary ochronne'] },
    ],
    markets: [
      'Przejście na napędy elektryczne zmienia portfel zamówień; klient szuka nowych odbiorców poza branżą motoryzacyjną.',
      'Odbiorcy wymagają corocznych obniżek cen o 2-3%; klient przenosi tę presję na dostawców.',
    ],
    positions: [
      { title: { m: 'Inżynier Jakości Dostawców' }, department: 'Dział Jakości', boss: 'production', roles: [['technical-buyer', 4], ['blocker', 1]], influence: [2, 4] },
      { title: { m: 'Kierownik Produkcji' }, department: 'Produkcja', boss: 'production', roles: [['user', 3], ['influencer', 2]], influence: [2, 4] },
    ],
    production: true,
  },
  {
    name: 'Chemia przemysłowa',
    weight: 7,
    patterns: ['Zakłady Chemiczne {word}', '{root} Chemia', '{root} Chemicals'],
    roots: ['Chemos', 'Multichem', 'Hydrex', 'Polichem', 'Azotex'],
    kinds: [
      { patterns: ['Farby i Lakiery {word}', '{root} Coatings'], what: 'Producent farb, lakierów i klejów przemysłowych', sites: ['zakład produkcyjny i magazyn materiałów niebezpiecznych', 'wytwórnia i laboratorium aplikacyjne'], buys: ['beczki, kanistry i pojemniki IBC', 'maski i odzież ochronną dla lakierni'] },
      { patterns: ['Nawozy {word}', '{root} Agrochemia'], what: 'Producent nawozów i środków ochrony roślin', sites: ['zakład produkcyjny z bocznicą kolejową', 'zakład produkcyjny i magazyny sezonowe'], buys: ['worki big-bag i folię kapturową', 'odzież chemoodporną i maski'] },
      { patterns: ['{root} Chemia Budowlana', 'Chemia Gospodarcza {word}'], what: 'Producent chemii budowlanej i gospodarczej', sites: ['zakład produkcyjny i magazyn materiałów niebezpiecznych', 'dwie linie rozlewnicze i magazyn'], buys: ['kanistry, butelki i etykiety', 'sorbenty i wyposażenie na wypadek wycieków'] },
    ],
    markets: [
      'Ceny gazu i surowców decydują o wyniku; klient ograniczał produkcję, gdy gaz drożał.',
      'Nowe wymagania REACH i audyty środowiskowe zwiększają wagę dokumentacji dostawców.',
    ],
    positions: [
      { title: { m: 'Główny Technolog' }, department: 'Technologia', boss: 'production', roles: [['technical-buyer', 5]], influence: [3, 5] },
      { title: { m: 'Kierownik Laboratorium' }, department: 'Laboratorium', boss: 'production', roles: [['technical-buyer', 3], ['influencer', 2]], influence: [2, 4] },
    ],
    production: true,
  },
  {
    name: 'Sieci handlowe',
    weight: 8,
    patterns: [],
    roots: ['Marketpol', 'Sklepex', 'Handlex'],
    kinds: [
      { patterns: ['Sieć Sklepów {word}', '{root} Market', 'Dom Handlowy {surname}'], what: 'Regionalna sieć supermarketów', sites: ['kilkadziesiąt sklepów i centrum dystrybucyjne', 'sklepy w kilku województwach i magazyn centralny'], buys: ['torby, worki i etykiety', 'środki czystości do sklepów'] },
      { patterns: ['Delikatesy {word}', 'Delikatesy {surname}'], what: 'Sieć delikatesów w centrach miast', sites: ['kilkanaście sklepów i kuchnia centralna', 'sklepy w galeriach handlowych i magazyn'], buys: ['opakowania na dania gotowe i torby papierowe', 'środki czystości i higieny'] },
      { patterns: ['Drogerie {word}', '{root} Drogerie'], what: 'Sieć drogerii z własnym sklepem internetowym', sites: ['drogerie w kilku województwach i magazyn wysyłkowy', 'sklepy i centrum dystrybucyjne'], buys: ['kartony wysyłkowe z nadrukiem i wypełniacze', 'folię i taśmy do centrum dystrybucyjnego'] },
    ],
    markets: [
      'Konkurencja dyskontów wymusza promocje; sieć broni się jakością obsługi i lokalnym asortymentem.',
      'Rosnąca sprzedaż internetowa wymaga nowych opakowań wysyłkowych.',
    ],
    positions: [
      { title: { m: 'Kierownik Kategorii' }, department: 'Dział Handlowy', boss: 'sales', roles: [['influencer', 3], ['user', 2]], influence: [2, 4] },
      { title: { m: 'Kierownik Administracji Sklepów' }, department: 'Administracja', boss: 'operations', roles: [['user', 4], ['champion', 1]], influence: [2, 3] },
    ],
    production: false,
  },
  {
    name: 'Logistyka i spedycja',
    weight: 9,
    patterns: ['{root} Logistics'],
    roots: ['Spedmar', 'Eurotrans', 'Omnitrans', 'Translog', 'Cargopol'],
    kinds: [
      { patterns: ['Centrum Logistyczne {word}', '{root} Fulfillment'], what: 'Operator logistyczny: magazynowanie i kompletacja zamówień dla sklepów internetowych', sites: ['trzy magazyny klasy A przy węzłach autostradowych', 'magazyn wysokiego składowania i sortownia'], buys: ['folię stretch, taśmy i narożniki ochronne', 'kartony wysyłkowe i wypełniacze'] },
      { patterns: ['Trans-{root}', '{surname} Transport', 'Przedsiębiorstwo Transportowe {word}'], what: 'Firma transportowa z flotą ciągników siodłowych', sites: ['baza transportowa z warsztatem', 'dwie bazy transportowe i myjnia'], buys: ['kamizelki odblaskowe i obuwie ochronne', 'czyściwa, sorbenty i chemię warsztatową'] },
      { patterns: ['Spedycja {word}', '{root} Spedycja'], what: 'Spedytor i operator magazynów celnych', sites: ['magazyn celny i terminal przeładunkowy', 'terminal kontenerowy i magazyn'], buys: ['palety i przekładki', 'folię stretch, taśmy i narożniki ochronne'] },
    ],
    markets: [
      'Wzrost handlu internetowego napędza popyt na magazyny; marże spadają przez ceny paliwa i płace kierowców.',
      'Klient zdobył kontrakt dużej sieci odzieżowej i rozbudowuje magazyn.',
    ],
    positions: [
      { title: { m: 'Kierownik Floty' }, department: 'Transport', boss: 'operations', roles: [['user', 3], ['influencer', 2]], influence: [2, 3] },
      { title: { m: 'Kierownik Zmiany Magazynowej' }, department: 'Logistyka', boss: 'operations', roles: [['user', 5]], influence: [1, 2] },
    ],
    production: false,
  },
  {
    name: 'Produkcja mebli',
    weight: 8,
    patterns: ['Fabryka Mebli {word}', '{root} Meble', '{surname} Meble', 'Stolarnia {word}', '{root} Furniture'],
    roots: ['Mebor', 'Lignum', 'Drewpol', 'Prodrew', 'Meblotex'],
    kinds: [
      { patterns: ['Fabryka Mebli {word}', '{root} Meble', '{surname} Meble'], what: 'Producent mebli tapicerowanych dla sieci skandynawskich', sites: ['fabryka i tapicernia', 'dwa zakłady i magazyn wyrobów gotowych'], buys: ['kartony, narożniki i folię bąbelkową', 'kleje i środki do konserwacji maszyn'] },
      { patterns: ['Fabryka Mebli {word}', '{root} Meble', '{root} Furniture'], what: 'Producent mebli skrzyniowych i kuchennych', sites: ['fabryka z linią okleiniarską', 'dwa zakłady i magazyn wyrobów gotowych'], buys: ['kartony, narożniki i folię bąbelkową', 'maski przeciwpyłowe i ochronniki słuchu'] },
      { patterns: ['Stolarnia {word}', '{surname} Meble', '{root} Office'], what: 'Producent mebli biurowych na zamówienie', sites: ['stolarnia i lakiernia', 'zakład produkcyjny i salon sprzedaży'], buys: ['folię bąbelkową i koce transportowe', 'maski i odzież ochronną dla lakierni'] },
    ],
    markets: [
      'Eksport stanowi większość sprzedaży; słabszy popyt w Niemczech odbił się na zamówieniach.',
      'Odbiorcy wymagają opakowań bez plastiku; klient szuka zamienników folii.',
    ],
    positions: [
      { title: { m: 'Kierownik Produkcji' }, department: 'Produkcja', boss: 'production', roles: [['user', 3], ['technical-buyer', 2]], influence: [2, 4] },
      { title: { m: 'Technolog Produkcji' }, department: 'Technologia', boss: 'production', roles: [['technical-buyer', 4]], influence: [2, 3] },
    ],
    production: true,
  },
  {
    name: 'Dystrybucja farmaceutyczna',
    weight: 6,
    patterns: ['{root} Pharma'],
    roots: ['Farmex', 'Medpol', 'Pharmapol', 'Salvex'],
    kinds: [
      { patterns: ['Hurtownia Farmaceutyczna {word}', 'Dystrybucja Leków {word}'], what: 'Hurtownia farmaceutyczna zaopatrująca apteki i szpitale', sites: ['magazyn z kontrolą temperatury i flota chłodni', 'dwa magazyny regionalne'], buys: ['opakowania termoizolacyjne i wkłady chłodzące', 'kartony wysyłkowe z nadrukiem'] },
      { patterns: ['{root} Med', '{root} Medical'], what: 'Dystrybutor wyrobów medycznych i środków dezynfekcyjnych', sites: ['magazyn centralny i dział obsługi szpitali', 'dwa magazyny regionalne'], buys: ['rękawice nitrylowe i środki dezynfekcyjne', 'kartony wysyłkowe i taśmy'] },
    ],
    markets: [
      'Rynek skonsolidowany; klient konkuruje serwisem i dostawami dwa razy dziennie.',
      'Wymagania Dobrej Praktyki Dystrybucyjnej (GDP) narzucają walidację opakowań i dostawców.',
    ],
    positions: [
      { title: { m: 'Osoba Odpowiedzialna (GDP)' }, department: 'Dział Jakości', boss: 'operations', roles: [['technical-buyer', 4], ['blocker', 1]], influence: [3, 4] },
      { title: { m: 'Kierownik Hurtowni' }, department: 'Operacje', boss: 'operations', roles: [['user', 3], ['influencer', 2]], influence: [2, 4] },
    ],
    production: false,
  },
  {
    name: 'Energetyka',
    weight: 5,
    patterns: ['{root} Energia', '{root} Energy'],
    roots: ['Voltex', 'Heliox', 'Ekoterm', 'Termex', 'Energopol'],
    kinds: [
      { patterns: ['Elektrociepłownia {word}', 'Zespół Elektrociepłowni {word}'], what: 'Elektrociepłownia zaopatrująca miasto w ciepło', sites: ['elektrociepłownia i sieć ciepłownicza', 'elektrociepłownia i dwie ciepłownie szczytowe'], buys: ['odzież trudnopalną i sprzęt ochronny', 'sorbenty i czyściwa'] },
      { patterns: ['{root} OZE Serwis', '{root} Wind Service'], what: 'Wykonawca i serwis farm wiatrowych i fotowoltaicznych', sites: ['baza serwisowa i magazyn części', 'dwie bazy serwisowe'], buys: ['sprzęt do pracy na wysokości i odzież roboczą', 'oleje i smary do turbin'] },
      { patterns: ['Miejskie Przedsiębiorstwo Energetyki Cieplnej {word}', 'Ciepłownia {word}'], what: 'Operator sieci ciepłowniczej', sites: ['sieć ciepłownicza i trzy bazy eksploatacyjne', 'ciepłownia i baza eksploatacyjna'], buys: ['odzież roboczą i obuwie ochronne', 'chemię do uzdatniania wody i czyściwa'] },
    ],
    markets: [
      'Transformacja energetyczna: odejście od węgla i inwestycje w kogenerację gazową.',
      'Przetargi według prawa zamówień publicznych; kryterium ceny waży zwykle 60-80%.',
    ],
    positions: [
      { title: { m: 'Główny Energetyk' }, department: 'Utrzymanie Ruchu', boss: 'operations', roles: [['technical-buyer', 4], ['influencer', 2]], influence: [3, 4] },
      { title: { m: 'Specjalista ds. Zamówień Publicznych', f: 'Specjalistka ds. Zamówień Publicznych' }, department: 'Dział Zakupów', boss: 'purchasing', roles: [['gatekeeper', 3], ['user', 2]], influence: [2, 3] },
    ],
    production: true,
  },
  {
    name: 'Rolnictwo',
    weight: 7,
    patterns: ['Agro-{root}', '{root} Agro'],
    roots: ['Agromax', 'Agrofarm', 'Polrol', 'Zbożex', 'Rolmex'],
    kinds: [
      { patterns: ['Gospodarstwo Rolne {surname}', 'Spółdzielnia Rolnicza {word}!'], what: 'Gospodarstwo wielkoobszarowe: zboża, rzepak i kukurydza', sites: ['gospodarstwo, suszarnia i magazyny zbożowe', 'dwa gospodarstwa i baza maszyn'], buys: ['worki big-bag i folię do kiszonek', 'smary i oleje do maszyn rolniczych'] },
      { patterns: ['Ferma Drobiu {word}', '{surname} Ferma Drobiu'], what: 'Ferma drobiu z własną wytwórnią pasz', sites: ['fermy w trzech lokalizacjach', 'ferma i wytwórnia pasz'], buys: ['środki dezynfekcyjne do ferm', 'odzież roboczą i obuwie ochronne'] },
      { patterns: ['Grupa Producentów Owoców {word}', 'Sady {word}'], what: 'Grupa producentów owoców z przechowalnią', sites: ['przechowalnia z kontrolowaną atmosferą i sortownia', 'sady i przechowalnia owoców'], buys: ['skrzynki i opakowania na owoce', 'folię stretch i narożniki do palet'] },
    ],
    markets: [
      'Wynik zależy od cen skupu i pogody; po słabym roku klient wstrzymał inwestycje.',
      'Dopłaty unijne i nowe wymagania środowiskowe zmieniają sposób prowadzenia produkcji.',
    ],
    positions: [
      { title: { m: 'Agronom' }, department: 'Produkcja Roślinna', boss: 'production', roles: [['technical-buyer', 3], ['user', 2]], influence: [2, 4] },
      { title: { m: 'Kierownik Gospodarstwa' }, department: 'Produkcja', boss: 'production', roles: [['user', 4], ['influencer', 1]], influence: [2, 3] },
    ],
    production: true,
  },
  {
    name: 'Przemysł metalowy',
    weight: 9,
    patterns: ['{root} Stal', '{root} Metal'],
    roots: ['Metalex', 'Gromet', 'Intermet', 'Bormet', 'Stalkom'],
    kinds: [
      { patterns: ['{root} Konstrukcje', 'Konstrukcje Stalowe {word}'], what: 'Producent konstrukcji stalowych dla budownictwa przemysłowego', sites: ['hala produkcyjna z suwnicami i malarnia', 'dwie hale produkcyjne i plac składowy'], buys: ['rękawice spawalnicze, przyłbice i odzież trudnopalną', 'taśmy stalowe i folię do pakowania'] },
      { patterns: ['Odlewnia {word}', 'Odlewnia Żeliwa {surname}'], what: 'Odlewnia żeliwa i staliwa', sites: ['odlewnia i narzędziownia', 'odlewnia i obróbka mechaniczna'], buys: ['odzież trudnopalną i obuwie odlewnicze', 'chłodziwa, oleje i czyściwa'] },
      { patterns: ['Zakład Mechaniczny {surname}', '{root} CNC'], what: 'Zakład obróbki skrawaniem i spawalnictwa na zlecenie', sites: ['hala z centrami obróbczymi', 'zakład produkcyjny i narzędziownia'], buys: ['chłodziwa, oleje i czyściwa', 'rękawice i okulary ochronne'] },
    ],
    markets: [
      'Ceny stali i energii wahają się mocno; klient zawiera kontrakty z klauzulami waloryzacyjnymi.',
      'Portfel zamówień z Niemiec i Skandynawii; klient inwestuje w roboty spawalnicze.',
    ],
    positions: [
      { title: { m: 'Kierownik Produkcji' }, department: 'Produkcja', boss: 'production', roles: [['user', 3], ['influencer', 2]], influence: [2, 4] },
      { title: { m: 'Główny Spawalnik' }, department: 'Technologia', boss: 'production', roles: [['technical-buyer', 4]], influence: [2, 4] },
    ],
    production: true,
  },
  {
    name: 'Hotele i gastronomia',
    weight: 6,
    patterns: [],
    roots: ['Gastropol', 'Hotelix', 'Smakosz'],
    kinds: [
      { patterns: ['Grupa Hotelowa {root}', 'Hotele {word}'], what: 'Sieć hoteli biznesowych z centrami konferencyjnymi', sites: ['cztery hotele w dużych miastach', 'trzy hotele i pralnia centralna'], buys: ['środki czystości i chemię do zmywarek', 'odzież dla kuchni i obsługi'] },
      { patterns: ['{root} Catering', '{surname} Catering'], what: 'Firma cateringowa obsługująca szkoły i zakłady pracy', sites: ['kuchnia centralna i flota dostawcza', 'dwie kuchnie i stołówki u klientów'], buys: ['jednorazowe opakowania gastronomiczne', 'środki czystości i chemię do zmywarek'] },
      { patterns: ['Uzdrowisko {word}', 'Hotel {word} Spa'], what: 'Hotel z uzdrowiskiem i bazą zabiegową', sites: ['obiekt z 200 pokojami i strefą spa', 'hotel i szpital uzdrowiskowy'], buys: ['środki dezynfekcyjne i higieniczne', 'odzież dla kuchni i obsługi'] },
    ],
    markets: [
      'Ruch turystyczny i konferencyjny wrócił do poziomu sprzed pandemii; koszty pracy rosną szybciej niż ceny.',
      'Zakaz plastikowych jednorazówek zmienia zakupy opakowań gastronomicznych.',
    ],
    positions: [
      { title: { m: 'Szef Kuchni' }, department: 'Gastronomia', boss: 'operations', roles: [['user', 3], ['influencer', 2]], influence: [2, 3] },
      { title: { m: 'Kierownik Działu Housekeeping' }, department: 'Housekeeping', boss: 'operations', roles: [['user', 4], ['champion', 1]], influence: [2, 3] },
    ],
    production: false,
  },
];

// ---------------------------------------------------------------------------------------------------
// The phrases of a dossier.

/** How the company came to be: {founded} the year it was founded, {later} a later year. */
export const HISTORY_PHRASES: readonly string[] = [
  'Firma rodzinna założona w {founded} r.; w {later} r. przekształcona w spółkę, zarząd przejęło drugie pokolenie.',
  'Założona w {founded} r. przez dwóch wspólników; w {later} r. przejęła konkurencyjny zakład i podwoiła sprzedaż.',
  'Powstała w {founded} r. z prywatyzacji państwowego przedsiębiorstwa; od {later} r. w grupie z udziałem inwestora niemieckiego.',
  'Działa od {founded} r.; w {later} r. fundusz private equity kupił większość udziałów i finansuje ekspansję.',
  'Założona w {founded} r.; w {later} r. otworzyła drugi zakład i weszła na rynki eksportowe.',
];

/** Our side of the story, by the account's status: {since} the first year of cooperation, {lost}, {back}. */
export const RELATIONSHIP_PHRASES: Record<'prospect' | 'active' | 'lost' | 'won-back', readonly string[]> = {
  prospect: [
    'Nie kupuje jeszcze od nas; pierwsze spotkanie w {since} r., oferta próbna w przygotowaniu.',
    'Pozyskany z targów w {since} r.; kupuje u konkurencji, czekamy na przetarg roczny.',
  ],
  active: [
    'Współpracujemy od {since} r.; zaczęło się od opakowań, dziś kupuje też chemię i środki BHP.',
    'Klient od {since} r.; umowa ramowa odnawiana co roku.',
    'Współpraca od {since} r., rozszerzona po udanych próbach na linii produkcyjnej klienta.',
  ],
  lost: [
    'Klient od {since} r.; w {lost} r. przegraliśmy przetarg roczny i zamówienia ustały.',
    'Współpraca od {since} do {lost} r.; nowy dyrektor zakupów przeniósł zakupy do konkurencji.',
  ],
  'won-back': [
    'Klient od {since} r.; odszedł w {lost} r. i wrócił w {back} r. po problemach z dostawami konkurencji.',
    'Współpraca od {since} r., przerwana w {lost} r.; odzyskany w {back} r. dzięki ofercie z magazynem konsygnacyjnym.',
  ],
};

/** The organisation, as it matters for selling: {buyers} the size of the purchasing team. */
export const ORG_PHRASES: readonly string[] = [
  'Zakupy scentralizowane w centrali; dział zakupów liczy {buyers} osoby, decyzje powyżej 50 tys. zł zatwierdza zarząd.',
  'Każdy zakład kupuje sam w ramach budżetu; centrala negocjuje tylko umowy ramowe.',
  'Zarząd dwuosobowy; prezes osobiście zatwierdza nowych dostawców.',
  'Dział zakupów ({buyers} osoby) podlega dyrektorowi finansowemu; specyfikacje pisze dział techniczny.',
  'Zakupy pomocnicze prowadzi dział administracji; zakupy produkcyjne dział zakupów ({buyers} osoby).',
];

/** The client's situation beside its market. */
export const SITUATION_PHRASES: readonly string[] = [
  'Inwestuje w automatyzację pakowania.',
  'Planuje budowę nowego magazynu w ciągu dwóch lat.',
  'Po zmianie prezesa trwa przegląd wszystkich dostawców.',
  'Wdraża nowy system ERP; zamówienia mają iść przez platformę elektroniczną.',
  'Ma kłopoty z płynnością; płaci z opóźnieniem.',
  'Rośnie szybciej niż rynek; zatrudnia nowych pracowników.',
  'Wprowadza politykę zrównoważonego rozwoju: liczy ślad węglowy dostawców.',
];

export const LONG_TERM_PLANS: readonly string[] = [
  'Umowa ramowa na trzy lata z pełnym asortymentem BHP.',
  'Przejęcie całości zakupów opakowań po otwarciu nowego zakładu.',
  'Magazyn konsygnacyjny u klienta i dostawy według zużycia.',
  'Wspólny projekt opakowań z materiałów z recyklingu.',
  'Wejście do zakładów grupy klienta w Czechach i na Słowacji.',
  'Odzyskanie dostaw chemii technicznej utraconych w przetargu.',
];

export const PRIVATE_NOTES: readonly string[] = [
  'Prezes ceni rozmowy osobiste; oferty wysyłać po wcześniejszym telefonie.',
  'Dyrektor zakupów rozlicza się z oszczędności: każda oferta musi pokazać porównanie z poprzednim rokiem.',
  'Płaci w terminie tylko po przypomnieniu telefonicznym.',
  'Nie umawiać spotkań w piątki: zarząd jest wtedy w drugim zakładzie.',
  'Konkurent ma tu byłego pracownika klienta; uważać na przecieki cen.',
  'Technolog jest naszym sprzymierzeńcem; warto go zapraszać na szkolenia.',
];

export const IMAGE_MAKER_REASONS: readonly string[] = [
  'Lider rynku w regionie: jego logo w naszych referencjach otwiera rozmowy z innymi firmami z branży.',
  'Znana marka konsumencka: współpraca z nią to argument w każdym przetargu.',
  'Laureat nagród branżowych; chętnie występuje w naszych studiach przypadków.',
];

export const EXPERT_REASONS: readonly string[] = [
  'Wymagający dział jakości testuje nasze nowe produkty, a jego uwagi przekazujemy producentom.',
  'Własne laboratorium: wspólnie opracowaliśmy specyfikację opakowań dla jego wyrobów.',
  'Technolog klienta doradza nam przy doborze chemii do mycia linii produkcyjnych.',
];

// ---------------------------------------------------------------------------------------------------
// Competitors and tenders.

export type CompetitorEntry = { name: string; website: string; description: string };

export const COMPETITORS: readonly CompetitorEntry[] = [
  { name: 'Pakmar Dystrybucja sp. z o.o.', website: 'https://www.pakmar-dystrybucja.pl', description: 'Hurtownia opakowań z sześcioma oddziałami; konkuruje ceną folii i kartonów.' },
  { name: 'Interchem Polska S.A.', website: 'https://www.interchem-polska.pl', description: 'Dystrybutor chemii technicznej i środków myjących z własnym laboratorium aplikacyjnym.' },
  { name: 'Nordpack sp. z o.o.', website: 'https://www.nordpack.pl', description: 'Polska spółka skandynawskiej grupy opakowaniowej; silna w opakowaniach ekologicznych.' },
  { name: 'BHP-Serwis Kowalczyk sp. j.', website: 'https://www.bhp-serwis.pl', description: 'Regionalny dostawca odzieży roboczej i środków ochrony indywidualnej; bliskie relacje z klientami.' },
  { name: 'Baltic Industrial Supply sp. z o.o.', website: 'https://www.balticsupply.pl', description: 'Zaopatrzenie przemysłu na Pomorzu; szybkie dostawy z magazynu w Gdyni.' },
  { name: 'Promag Zaopatrzenie sp. z o.o.', website: 'https://www.promag-zaopatrzenie.pl', description: 'Kompleksowe zaopatrzenie zakładów produkcyjnych, automaty wydające u klientów.' },
  { name: 'Eko-Pak S.A.', website: 'https://www.eko-pak.pl', description: 'Producent i dystrybutor opakowań z papieru i tektury z recyklingu.' },
  { name: 'Technochem Hurt sp. z o.o.', website: 'https://www.technochem-hurt.pl', description: 'Hurtownia smarów, olejów i chemii do utrzymania ruchu.' },
  { name: 'Unimax Logistyka Zaopatrzenia sp.k.', website: 'https://www.unimax.com.pl', description: 'Operator zaopatrzenia pośredniego z platformą e-zamówień.' },
  { name: 'Grupa Zaopatrzeniowa Merkury S.A.', website: 'https://www.merkury-grupa.pl', description: 'Ogólnopolska sieć hurtowni przemysłowych; najszerszy asortyment na rynku.' },
  { name: 'Folplast sp. z o.o.', website: 'https://www.folplast.com.pl', description: 'Producent folii stretch i worków; sprzedaje bezpośrednio dużym odbiorcom.' },
  { name: 'Clean-Pro Higiena sp. z o.o.', website: 'https://www.clean-pro.pl', description: 'Środki czystości i higieny dla przemysłu spożywczego i HoReCa, z serwisem dozowników.' },
  { name: 'Euroindustria Polska sp. z o.o.', website: 'https://www.euroindustria.pl', description: 'Polski oddział niemieckiego dystrybutora: katalog, sklep internetowy, dostawy w 24 godziny.' },
];

export const COMPETITOR_STRENGTHS: readonly string[] = [
  'niższe ceny katalogowe',
  'lokalny magazyn i dostawy w 24 godziny',
  'szeroki asortyment w jednym miejscu',
  'długie terminy płatności (60 dni)',
  'dobre relacje z dyrektorem zakupów',
  'własny serwis techniczny',
  'platforma e-zamówień zintegrowana z ERP klienta',
  'rabaty roczne za wolumen',
];

export const COMPETITOR_WEAKNESSES: readonly string[] = [
  'częste braki towaru w szczycie sezonu',
  'słaby serwis posprzedażowy',
  'sztywne warunki handlowe',
  'brak doradztwa technicznego',
  'opóźnienia dostaw poza dużymi miastami',
  'wysoka rotacja handlowców',
  'wąska oferta chemii technicznej',
];

export const COMPETITOR_NOTES: readonly string[] = [
  'Wygrał ostatni przetarg ceną niższą o kilka procent.',
  'Klient rozważa przeniesienie do nich całości zakupów opakowań.',
  'Obsługuje głównie jeden zakład klienta.',
  'Zaproponował klientowi automat wydający środki BHP.',
  'Dostarcza tylko towary, których my nie mamy w ofercie.',
];

/** Tender titles: {year} the year of the tender, {next} the year after. */
export const TENDER_TITLES: readonly string[] = [
  'Dostawa opakowań kartonowych na rok {year}',
  'Dostawa folii stretch i taśm pakowych',
  'Dostawa odzieży roboczej i środków ochrony indywidualnej',
  'Kompleksowa dostawa środków czystości i higieny',
  'Dostawa chemii do mycia linii produkcyjnych',
  'Dostawa smarów i olejów technicznych',
  'Dostawa rękawic ochronnych (umowa ramowa {year}-{next})',
  'Zaopatrzenie magazynu w palety i przekładki',
  'Dostawa materiałów eksploatacyjnych do utrzymania ruchu',
  'Dostawa obuwia roboczego',
  'Dostawa sorbentów i wyposażenia na wypadek wycieków',
  'Dostawa opakowań wysyłkowych z nadrukiem',
];

export const WON_REASONS: readonly string[] = [
  'najkorzystniejsza cena przy pełnej specyfikacji',
  'krótszy termin dostawy',
  'dotychczasowa współpraca i znajomość potrzeb klienta',
  'doradztwo techniczne i próby na linii klienta',
  'magazyn konsygnacyjny u klienta',
];

/** Why tenders were lost: price, delivery time, payment terms and the rest. */
export const LOST_REASONS: readonly string[] = [
  'cena: oferta konkurenta tańsza o ok. 7%',
  'cena: klient wybrał najtańszą ofertę mimo gorszych parametrów',
  'termin dostawy: konkurent dostarcza z lokalnego magazynu w 24 godziny',
  'warunki płatności: konkurent dał 60 dni zamiast naszych 30',
  'niepełny asortyment: brak części pozycji w naszej ofercie',
  'wymagania techniczne: nasze rękawice bez wymaganej normy',
  'relacje: konkurent od lat współpracuje z zarządem klienta',
];

export const WITHDRAWN_REASONS: readonly string[] = [
  'zamawiający unieważnił postępowanie',
  'wycofaliśmy ofertę: wymagany termin płatności 120 dni',
  'przetarg przesunięty na kolejny rok',
];

export const PENDING_REASONS: readonly string[] = [
  'oferta złożona, czekamy na rozstrzygnięcie',
  'negocjacje cenowe w toku',
];

// ---------------------------------------------------------------------------------------------------
// NIP.

/** The weights of the NIP checksum: digit i (of the first nine) times weight i, summed, modulo 11. */
export const NIP_WEIGHTS: readonly number[] = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/**
 * The check digit (the tenth) of a NIP whose first nine digits are `digits`, or null when the
 * checksum is 10: no NIP begins with those nine digits.
 */
export function nipCheckDigit(digits: string): number | null {
  if (!/^[0-9]{9}$/.test(digits)) throw new RangeError(`a NIP starts with nine digits, not "${digits}"`);
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (NIP_WEIGHTS[i] as number);
  const check = sum % 11;
  return check === 10 ? null : check;
}

/** Whether `nip` is ten digits with a valid check digit. */
export function isValidNip(nip: string): boolean {
  return /^[0-9]{10}$/.test(nip) && nipCheckDigit(nip.slice(0, 9)) === Number(nip[9]);
}
