/**
 * The demo company (`kamerton demo`, and the web app's "load the demo company" on a fresh
 * server): a director, three key account managers and a marketing person, about 300 client accounts
 * with their dossiers, decision-making maps, competitors and tenders, all in Polish and all invented
 * (the word lists are in demo-data.ts). The data follows from a seed through a small seeded generator,
 * so the same seed gives the same companies, people and codes on every machine; only the record ids,
 * the demo password and the dates (counted back from today) differ from load to load.
 *
 * The load is one transaction of bulk inserts, not thousands of calls to the use-cases: it is atomic
 * (a failure leaves nothing behind, so the next attempt is not refused for a half-loaded demo) and
 * fast (measured on the embedded PostgreSQL: 0.7 s for the 300 accounts and their 2 800 records,
 * where calling the use-cases, one transaction per record, took 8.5 s). What the use-cases would
 * guarantee is kept: every record passes the use-cases' own input schemas first; the rules they check
 * against the database hold by construction (owners are the demo's KAMs, codes and competitor names
 * are unique, reports-to lines stay in the account and point up a tree: test/demo.int.test.ts checks
 * them); and every record gets the 'create' history row they would write, its new value the record as
 * the API shows it. Those rows name no user: the demo is the system's work, whoever asked for it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { count, inArray, sql } from 'drizzle-orm';
import { KamertonError } from '../core/errors.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMonths, dayFromCivil } from '../core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../core/types.ts';
import type { Database, Db } from '../db/client.ts';
import {
  accountCodes,
  accountCompetitors,
  accounts,
  accountTeam,
  competitors,
  contacts,
  history,
  tenders,
  users,
  type AccountStatus,
  type Role,
} from '../db/schema/index.ts';
import type { Transaction } from './access.ts';
import { accountCreateSchema, type AccountCreate } from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';
import { accountCompetitorCreateSchema, competitorCreateSchema } from './competitors.ts';
import { contactCreateSchema, type ContactCreate } from './contacts.ts';
import {
  asciiSlug,
  CITIES,
  COMMON_POSITIONS,
  COMPETITOR_NOTES,
  COMPETITOR_STRENGTHS,
  COMPETITOR_WEAKNESSES,
  COMPETITORS,
  DEMO_EMAIL_DOMAIN,
  DIRECTORS,
  EXPERT_REASONS,
  FIRST_NAMES,
  HISTORY_PHRASES,
  IMAGE_MAKER_REASONS,
  INDUSTRIES,
  LEGAL_FORMS,
  LONG_TERM_PLANS,
  LOST_REASONS,
  NAME_ROOTS,
  NAME_WORDS,
  nipCheckDigit,
  ORG_PHRASES,
  PENDING_REASONS,
  PRIVATE_NOTES,
  RELATIONSHIP_PHRASES,
  SITUATION_PHRASES,
  SURNAMES,
  surnameFor,
  TENDER_TITLES,
  titleFor,
  TOP_TITLES,
  WITHDRAWN_REASONS,
  WON_REASONS,
  type BuyingRoleName,
  type City,
  type CompanyKind,
  type Director,
  type Gender,
  type Industry,
  type Position,
  type Title,
} from './demo-data.ts';
import { assignDemoProfiles, writeDemoLedger, type DemoLedgerClient, type DemoSalesProfile } from './demo-ledger.ts';
import { importLedger } from './import-ledger.ts';
import { hashPassword } from './passwords.ts';
import { runAnalysis } from './run-analysis.ts';
import { createRandom, type Random } from './demo-random.ts';
import { tenderCreateSchema } from './tenders.ts';
import { loadDemoRefusals } from './demo-refusals.ts';
import { loadDemoWinBack } from './demo-win-back.ts';
import { createUserInput } from './users.ts';

/** The seed of `kamerton demo` without --seed. */
export const DEFAULT_DEMO_SEED = 1;

/** How many client accounts the demo company has. */
export const DEMO_ACCOUNT_COUNT = 300;

export type DemoOptions = { seed?: number };

/** A demo user, with the number of accounts they own. */
export type DemoUser = { name: string; email: string; role: Role; accounts: number };

/** What `loadDemo` made, and how to sign in as the demo's people. */
export type DemoSummary = {
  seed: number;
  /** The one password of every demo user, made afresh for each load. */
  password: string;
  users: DemoUser[];
  accounts: number;
  accountsByStatus: Record<AccountStatus, number>;
  contacts: number;
  competitors: number;
  competitorEntries: number;
  tenders: number;
  /** Refusals logged on the accounts (demo-refusals.ts). */
  refusals: number;
  historyRows: number;
  /** The demo's sales ledger, loaded through the ordinary import, and the latest of the two analysis runs made over it. */
  ledger: { lines: number; documents: number; importId: number; analysisRunId: number };
};

// ---------------------------------------------------------------------------------------------------
// The plan: what the demo company is, before any database is involved.

export type PlannedUser = { name: string; email: string; role: Role };

/** A contact, its reports-to line as the index of another contact of the same account (its superior). */
export type PlannedContact = { fields: Omit<ContactCreate, 'reportsToId'>; reportsTo: number | null };

export type PlannedEntry = {
  /** Index into the plan's competitors. */
  competitor: number;
  shareOfWallet: number | null;
  strengths: string;
  weaknesses: string;
  notes: string | null;
};

export type PlannedTender = {
  title: string;
  date: string;
  value: number;
  outcome: 'won' | 'lost' | 'pending' | 'withdrawn';
  reason: string | null;
  /** Index into the plan's competitors: the winner of a lost tender. */
  winner: number | null;
};

export type PlannedAccount = {
  fields: Omit<AccountCreate, 'ownerId'> & { name: string; codes: string[]; status: AccountStatus };
  /** Index into the plan's users: a key account manager. */
  owner: number;
  /** Indexes into the plan's users. */
  team: number[];
  contacts: PlannedContact[];
  competitors: PlannedEntry[];
  tenders: PlannedTender[];
};

export type DemoPlan = {
  seed: number;
  users: PlannedUser[];
  competitors: { name: string; website: string; description: string }[];
  accounts: PlannedAccount[];
};

/** The demo company's people: fixed, so that the logins printed by one load hold for the next. */
const DEMO_PEOPLE: readonly { first: string; last: string; role: Role }[] = [
  { first: 'Katarzyna', last: 'Wiśniewska', role: 'director' },
  { first: 'Marek', last: 'Kowalczyk', role: 'kam' },
  { first: 'Agnieszka', last: 'Lewandowska', role: 'kam' },
  { first: 'Paweł', last: 'Kamiński', role: 'kam' },
  { first: 'Magdalena', last: 'Dąbrowska', role: 'marketing' },
];

/** How the accounts are shared among the three KAMs (user indexes 1-3), and the statuses. */
const KAM_SHARES = [[1, 36], [2, 33], [3, 31]] as const;
const STATUS_WEIGHTS = [['active', 70], ['prospect', 14], ['lost', 8], ['won-back', 8]] as const;

/** How a description says what the client buys from us, by status. */
const BUYS_FROM_US: Record<AccountStatus, string> = {
  prospect: 'Mógłby kupować od nas',
  active: 'Kupuje od nas',
  lost: 'Kupował od nas',
  'won-back': 'Znów kupuje od nas',
};

const MOBILE_PREFIXES = ['501', '502', '504', '509', '512', '515', '530', '535', '570', '600', '601', '602', '604', '605', '606', '660',
  '661', '662', '665', '668', '691', '693', '695', '698', '721', '723', '725', '730', '733', '781', '784', '790', '792', '880', '886', '888'];

/** The plan of the demo company for `seed`, its dates counted back from `today`. */
export function planDemo(seed: number, today: Date): DemoPlan {
  const random = createRandom(seed);
  const year = today.getUTCFullYear();
  const planUsers = DEMO_PEOPLE.map(({ first, last, role }) => ({
    name: `${first} ${last}`,
    email: `${asciiSlug(first)}.${asciiSlug(last)}@${DEMO_EMAIL_DOMAIN}`,
    role,
  }));
  const planCompetitors = random.sample(COMPETITORS, random.int(8, 12)).map((c) => ({ ...c }));

  const usedNames = new Set<string>();
  const usedNips = new Set<string>();
  const usedCodes = new Set<string>();
  const planAccounts: PlannedAccount[] = [];
  for (let i = 0; i < DEMO_ACCOUNT_COUNT; i += 1) {
    const industry = random.weighted(INDUSTRIES.map((item) => [item, item.weight] as const));
    const city = random.weighted(CITIES.map((item) => [item, item.weight] as const));
    const kind = random.pick(industry.kinds);
    const { name, base } = companyName(random, industry, kind, usedNames);
    const domain = `${asciiSlug(base)}.pl`;
    const status = random.weighted(STATUS_WEIGHTS);
    const annualPotential = paretoPotential(random);
    const employees = employeesFor(random, annualPotential);
    const codes: string[] = [];
    if (status !== 'prospect') {
      codes.push(erpCode(random, usedCodes));
      if (random.chance(0.08)) codes.push(erpCode(random, usedCodes));
    }
    const story = storyOf(random, status, year);
    const situation = random.pick(SITUATION_PHRASES);
    const imageMaker = random.chance(annualPotential > 1_000_000 ? 0.25 : 0.03);
    const expert = random.chance(industry.production ? 0.07 : 0.03);
    const purchase = random.pick(kind.buys);
    const employeesText = `${employees} ${plural(employees, 'osobę', 'osoby', 'osób')}`;
    const fields: PlannedAccount['fields'] = {
      name,
      codes,
      taxId: uniqueNip(random, usedNips),
      industry: industry.name,
      region: city.voivodeship,
      website: random.chance(0.9) ? `https://www.${domain}` : null,
      employees,
      description: `${kind.what}. Siedziba: ${city.name} (woj. ${city.voivodeship}); ${random.pick(kind.sites)}. ` +
        `Zatrudnia ok. ${employeesText}. ${BUYS_FROM_US[status]} ${purchase}.`,
      history: `${fill(random.pick(HISTORY_PHRASES), { founded: story.founded, later: story.later })} ` +
        fill(random.pick(RELATIONSHIP_PHRASES[status]), { since: story.since, lost: story.lost, back: story.back }),
      orgStructure: fill(random.pick(ORG_PHRASES), { buyers: random.int(2, 4) }),
      environment: `${random.pick(industry.markets)} ${situation}`,
      imageMaker,
      imageMakerReason: imageMaker ? random.pick(IMAGE_MAKER_REASONS) : null,
      expert,
      expertReason: expert ? random.pick(EXPERT_REASONS) : null,
      annualPotential,
      longTermPlans: status === 'lost'
        ? 'Odzyskanie klienta przy najbliższym przetargu rocznym.'
        : random.chance(status === 'prospect' ? 0.3 : 0.55) ? random.pick(LONG_TERM_PLANS) : null,
      cooperationHorizonMonths: status === 'active' || status === 'won-back'
        ? random.pick([12, 24, 36, 60])
        : status === 'prospect' && random.chance(0.4) ? 12 : null,
      reputationInfluence: imageMaker ? random.int(4, 5) : random.weighted([[1, 10], [2, 25], [3, 35], [4, 20], [5, 10]]),
      paymentDaysLate: status === 'prospect' ? null : paymentDaysLate(random, situation.includes('płynnością')),
      privateNotes: random.chance(0.3) ? random.pick(PRIVATE_NOTES) : null,
      status,
    };
    planAccounts.push({
      fields,
      owner: random.weighted(KAM_SHARES),
      team: [],
      contacts: planContacts(random, industry, city, domain, status),
      competitors: [],
      tenders: [],
    });
    const account = planAccounts[planAccounts.length - 1] as PlannedAccount;
    account.competitors = planEntries(random, status, planCompetitors.length);
    account.tenders = planTenders(random, account, planCompetitors.length, today);
  }

  // The director sits on the teams of the largest accounts; some accounts share a second KAM.
  const largest = [...planAccounts].sort((a, b) => (b.fields.annualPotential ?? 0) - (a.fields.annualPotential ?? 0)).slice(0, 8);
  for (const account of planAccounts) {
    if (largest.includes(account)) account.team.push(0);
    if (random.chance(0.12)) account.team.push(random.pick([1, 2, 3].filter((kam) => kam !== account.owner)));
  }
  return { seed, users: planUsers, competitors: planCompetitors, accounts: planAccounts };
}

function companyName(random: Random, industry: Industry, kind: CompanyKind, used: Set<string>): { name: string; base: string } {
  const patterns = [...industry.patterns, ...kind.patterns];
  // The industry's own roots twice over: a food producer is more often "Sadex" than "Wartex".
  const roots = [...NAME_ROOTS, ...industry.roots, ...industry.roots];
  for (;;) {
    const pattern = random.pick(patterns);
    const ownForm = pattern.endsWith('!');
    const base = (ownForm ? pattern.slice(0, -1) : pattern)
      .replace('{root}', () => random.pick(roots))
      .replace('{word}', () => random.pick(NAME_WORDS))
      .replace('{surname}', () => random.pick(SURNAMES));
    // The name without its legal form names the web domain, so it is what must be unique.
    if (used.has(base)) continue;
    used.add(base);
    const form = random.weighted(LEGAL_FORMS.map(({ form: f, weight }) => [f, weight] as const));
    return { name: ownForm ? base : `${base} ${form}`, base };
  }
}

/**
 * A yearly potential from a Pareto distribution (shape 1.2, from 30 000 zł): most clients small, a
 * few very large, the largest fifth holding most of the total, as in a real client base. Capped at
 * 25 million and rounded as a manager would estimate it.
 */
function paretoPotential(random: Random): number {
  const value = Math.min(25_000_000, 30_000 / (1 - random.next()) ** (1 / 1.2));
  return value < 100_000 ? Math.round(value / 1_000) * 1_000 : Math.round(value / 10_000) * 10_000;
}

/** Headcount roughly in line with the potential (a larger client buys more), rounded. */
function employeesFor(random: Random, potential: number): number {
  const raw = Math.max(8, Math.min(6_000, potential / (600 + random.next() * 1_900)));
  return raw < 100 ? Math.round(raw) : Math.round(raw / 10) * 10;
}

/** A Polish noun after a number: 1 osobę, 2-4 osoby (but 12-14 osób), otherwise osób. */
function plural(n: number, one: string, few: string, many: string): string {
  if (n === 1) return one;
  const lastTwo = n % 100;
  const last = n % 10;
  return last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14) ? few : many;
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => String(values[key] ?? whole));
}

function erpCode(random: Random, used: Set<string>): string {
  for (;;) {
    const code = `K${String(random.int(100, 29_999)).padStart(5, '0')}`;
    if (!used.has(code)) {
      used.add(code);
      return code;
    }
  }
}

/** A NIP no other demo account has: a tax office prefix (101-999), six digits, the check digit. */
function uniqueNip(random: Random, used: Set<string>): string {
  for (;;) {
    const first = `${random.int(101, 999)}${String(random.int(0, 999_999)).padStart(6, '0')}`;
    const check = nipCheckDigit(first);
    if (check === null) continue;
    const nip = `${first}${check}`;
    if (used.has(nip)) continue;
    used.add(nip);
    return nip;
  }
}

/** The years of the company's story and of ours with it, consistent with the status. */
function storyOf(random: Random, status: AccountStatus, year: number) {
  const founded = year - random.int(8, 40);
  const later = random.int(founded + 3, year - 2);
  const since = status === 'prospect' ? year - random.int(0, 1) : random.int(Math.max(founded + 1, year - 14), year - 3);
  const lost = status === 'lost' || status === 'won-back' ? random.int(since + 1, year - 1) : null;
  const back = status === 'won-back' && lost !== null ? random.int(lost + 1, year) : null;
  return { founded, later, since, lost: lost ?? '', back: back ?? '' };
}

function paymentDaysLate(random: Random, troubled: boolean): number {
  const band = troubled
    ? random.weighted([[[20, 45], 3], [[45, 75], 1]] as const)
    : random.weighted([[[0, 5], 55], [[5, 15], 25], [[15, 30], 12], [[30, 60], 5], [[-3, 0], 3]] as const);
  return Math.round((band[0] + random.next() * (band[1] - band[0])) * 10) / 10;
}

// ---------------------------------------------------------------------------------------------------
// The decision-making map.

const ATTITUDE_WEIGHTS = {
  active: [['mentor', 8], ['supporter', 30], ['neutral', 40], ['non-supporter', 15], ['opponent', 7]],
  'won-back': [['mentor', 6], ['supporter', 30], ['neutral', 40], ['non-supporter', 17], ['opponent', 7]],
  prospect: [['mentor', 3], ['supporter', 15], ['neutral', 60], ['non-supporter', 15], ['opponent', 7]],
  lost: [['mentor', 2], ['supporter', 10], ['neutral', 40], ['non-supporter', 30], ['opponent', 18]],
} as const;

type Relationship = 'none' | 'brief' | 'multiple' | 'in-depth';

function relationshipFor(random: Random, status: AccountStatus, level: 'top' | 'buyer' | 'other'): Relationship {
  if (status === 'prospect') return random.weighted([['none', 50], ['brief', 40], ['multiple', 10]]);
  if (status === 'lost') return random.weighted([['none', 20], ['brief', 50], ['multiple', 25], ['in-depth', 5]]);
  if (level === 'buyer') return random.weighted([['brief', 20], ['multiple', 40], ['in-depth', 40]]);
  if (level === 'top') return random.weighted([['brief', 30], ['multiple', 50], ['in-depth', 20]]);
  return random.weighted([['none', 15], ['brief', 45], ['multiple', 30], ['in-depth', 10]]);
}

/**
 * The people of one client company: the decision-maker at the top, one to three directors reporting
 * to them, and the rest reporting to the director of their area (to the top when the company has no
 * such director). Every reports-to line points to an earlier contact, so the map is a tree.
 */
function planContacts(random: Random, industry: Industry, city: City, domain: string, status: AccountStatus): PlannedContact[] {
  const count = status === 'prospect' ? random.int(3, 5) : random.weighted([[3, 10], [4, 20], [5, 25], [6, 20], [7, 15], [8, 10]]);
  const people: PlannedContact[] = [];
  const usedNames = new Set<string>();
  let championTaken = false;

  const person = (title: Title, department: string, role: BuyingRoleName, influence: number,
    level: 'top' | 'buyer' | 'other', reportsTo: number | null): void => {
    let gender: Gender;
    let first: string;
    let last: string;
    do {
      gender = random.chance(0.45) ? 'f' : 'm';
      first = random.pick(FIRST_NAMES[gender]);
      last = surnameFor(random.pick(SURNAMES), gender);
    } while (usedNames.has(`${first} ${last}`));
    usedNames.add(`${first} ${last}`);
    const buyingRole: BuyingRoleName = role === 'champion' && championTaken ? 'user' : role;
    if (buyingRole === 'champion') championTaken = true;
    const attitude = buyingRole === 'champion'
      ? random.weighted([['mentor', 6], ['supporter', 4]] as const)
      : buyingRole === 'blocker'
        ? random.weighted([['non-supporter', 6], ['opponent', 4]] as const)
        : random.weighted(ATTITUDE_WEIGHTS[status]);
    people.push({
      fields: {
        name: `${first} ${last}`,
        position: titleFor(title, gender),
        department,
        email: random.chance(0.92) ? `${asciiSlug(first)}.${asciiSlug(last)}@${domain}` : null,
        phone: phoneNumber(random, city),
        buyingRole,
        influence,
        attitude,
        relationship: relationshipFor(random, status, level),
        // The top of the map stays: the decision-maker who left would leave the map without one.
        leftCompany: level !== 'top' && random.chance(0.07),
      },
      reportsTo,
    });
  };

  person(random.pick(TOP_TITLES), 'Zarząd', 'decision-maker', random.chance(0.8) ? 5 : 4, 'top', null);

  const directorCount = Math.min(count - 1, count <= 3 ? 1 : count <= 5 ? 2 : 3);
  const candidates = DIRECTORS.filter((d) => industry.production || d.area !== 'production');
  const purchasing = candidates.find((d) => d.area === 'purchasing') as Director;
  const others = random.sample(candidates.filter((d) => d !== purchasing), candidates.length);
  const directors = (random.chance(0.75) ? [purchasing, ...others] : random.sample(candidates, candidates.length)).slice(0, directorCount);
  const directorIndex = new Map<string, number>();
  for (const director of directors) {
    directorIndex.set(director.area, people.length);
    person(director.title, director.department, random.weighted(director.roles), random.int(3, 4),
      director.area === 'purchasing' ? 'buyer' : 'other', 0);
  }

  const positions = random.sample<Position>([...COMMON_POSITIONS, ...industry.positions]
    .filter((p) => industry.production || p.boss !== 'production'), count - people.length);
  for (const position of positions) {
    const boss = position.boss === 'top' ? 0 : directorIndex.get(position.boss) ?? 0;
    person(position.title, position.department, random.weighted(position.roles),
      random.int(position.influence[0], position.influence[1]), position.department === 'Dział Zakupów' ? 'buyer' : 'other', boss);
  }
  return people;
}

function phoneNumber(random: Random, city: City): string | null {
  const digits = (n: number): string => String(random.int(0, 10 ** n - 1)).padStart(n, '0');
  const kind = random.weighted([['mobile', 70], ['landline', 20], ['none', 10]] as const);
  if (kind === 'none') return null;
  if (kind === 'mobile') return `+48 ${random.pick(MOBILE_PREFIXES)} ${digits(3)} ${digits(3)}`;
  return `+48 ${city.areaCode} ${random.int(2, 8)}${digits(2)} ${digits(2)} ${digits(2)}`;
}

// ---------------------------------------------------------------------------------------------------
// Competitors on the account, and tenders.

/**
 * The competitors working on an account, with shares of wallet that leave room for ours: an active
 * client buys most from us, a lost one from them. The shares never sum to more than 100.
 */
function planEntries(random: Random, status: AccountStatus, competitorCount: number): PlannedEntry[] {
  const count = status === 'prospect' || status === 'lost'
    ? random.weighted([[1, 45], [2, 40], [3, 15]])
    : random.weighted([[0, 25], [1, 35], [2, 28], [3, 12]]);
  const ours = { active: random.int(35, 85), 'won-back': random.int(25, 60), lost: random.int(0, 10), prospect: 0 }[status];
  const available = (100 - ours) * (0.6 + random.next() * 0.4);
  const weights = Array.from({ length: count }, () => 0.3 + random.next());
  const total = weights.reduce((sum, w) => sum + w, 0);
  return random.sample(Array.from({ length: competitorCount }, (_, i) => i), count).map((competitor, i) => ({
    competitor,
    // Rounded down, so that the rounding cannot push the sum past what was available.
    shareOfWallet: random.chance(0.1) ? null : Math.floor((available * (weights[i] as number)) / total),
    strengths: capitalise(random.sample(COMPETITOR_STRENGTHS, random.int(1, 2)).join('; ')),
    weaknesses: capitalise(random.sample(COMPETITOR_WEAKNESSES, random.int(1, 2)).join('; ')),
    notes: random.chance(0.4) ? random.pick(COMPETITOR_NOTES) : null,
  }));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How many days back tenders reach (three years), and how recent a tender must be to be pending. */
const TENDER_DAYS = 3 * 365;
const PENDING_DAYS = 90;

/**
 * Up to five tenders of the last three years, oldest first. Outcomes follow the account's story: a
 * lost client's latest tender was lost, a prospect has won none, only recent tenders are pending. A
 * lost tender names its winner, usually a competitor already working on the account.
 */
function planTenders(random: Random, account: PlannedAccount, competitorCount: number, today: Date): PlannedTender[] {
  const { status, annualPotential } = account.fields;
  const count = status === 'prospect'
    ? random.weighted([[0, 40], [1, 40], [2, 20]])
    : random.weighted([[0, 15], [1, 20], [2, 25], [3, 20], [4, 12], [5, 8]]);
  const outcomes = {
    active: [['won', 55], ['lost', 25], ['withdrawn', 8], ['pending', 12]],
    'won-back': [['won', 45], ['lost', 35], ['withdrawn', 8], ['pending', 12]],
    lost: [['won', 25], ['lost', 60], ['withdrawn', 15]],
    prospect: [['lost', 50], ['withdrawn', 20], ['pending', 30]],
  } as const;
  const daysAgo = Array.from({ length: count }, () => random.int(0, TENDER_DAYS - 1)).sort((a, b) => b - a);
  const planned = daysAgo.map((days): PlannedTender => {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - days));
    let outcome: PlannedTender['outcome'] = random.weighted(outcomes[status]);
    if (outcome === 'pending' && days > PENDING_DAYS) outcome = status === 'prospect' ? 'lost' : random.weighted([['won', 1], ['lost', 1]] as const);
    const tenderYear = date.getUTCFullYear();
    return {
      title: fill(random.pick(TENDER_TITLES), { year: tenderYear, next: tenderYear + 1 }),
      date: date.toISOString().slice(0, 10),
      value: Math.max(1_000, Math.round(((annualPotential ?? 50_000) * (0.05 + random.next() * 0.45)) / 100) * 100),
      outcome,
      reason: null,
      winner: null,
    };
  });
  const latest = planned[planned.length - 1];
  if (status === 'lost' && latest !== undefined) latest.outcome = 'lost';
  for (const tender of planned) {
    if (tender.outcome === 'won') tender.reason = random.pick(WON_REASONS);
    if (tender.outcome === 'withdrawn') tender.reason = random.pick(WITHDRAWN_REASONS);
    if (tender.outcome === 'pending') tender.reason = random.chance(0.5) ? random.pick(PENDING_REASONS) : null;
    if (tender.outcome === 'lost') {
      tender.reason = random.pick(LOST_REASONS);
      tender.winner = account.competitors.length > 0 && random.chance(0.75)
        ? random.pick(account.competitors).competitor
        : random.int(0, competitorCount - 1);
    }
  }
  return planned;
}

// ---------------------------------------------------------------------------------------------------
// Loading.

/** Whether the demo can be loaded: the database has no account yet. */
export async function demoAvailable(db: Db): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(accounts).limit(1);
  return rows.length === 0;
}

/** Any constant of our own: "KAMDEMO!" in ASCII, as a bigint. Two loads at once take turns, and the second is refused. */
const DEMO_LOCK = sql.raw('5422700381946597153');

/** Rows per INSERT: well below PostgreSQL's 65 535 parameters for the widest table. */
const CHUNK = 500;

const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A password for the demo users: three groups of four letters and digits, none easily confused. */
function demoPassword(): string {
  const group = (): string => Array.from({ length: 4 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
  return `demo-${group()}-${group()}-${group()}`;
}

/**
 * Loads the demo company into an empty database (an administrator or the system only); a database
 * that has any account already is refused with a conflict, and so is one that has a demo user's
 * e-mail address. Returns what was made, with the demo users' logins and their one password.
 */
export async function loadDemo(database: Pick<Database, 'db' | 'pool'>, actor: Actor, options: DemoOptions = {}): Promise<DemoSummary> {
  const { db } = database;
  if (actor.role !== 'admin' && actor.role !== 'system') {
    throw new KamertonError('forbidden', 'Only an administrator loads the demo company.');
  }
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new KamertonError('invalid-input', 'seed: an integer from 0 to 4294967295', { field: 'seed', value: String(seed) });
  }
  // Refused early, before the hashing; checked again under the lock, where it counts.
  if (!(await demoAvailable(db))) throw demoNotAvailable();
  const plan = planDemo(seed, new Date());
  const password = demoPassword();
  const rows = await prepareRows(plan, password);

  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${DEMO_LOCK})`);
    if ((await tx.$count(accounts)) > 0) throw demoNotAvailable();
    const emails = rows.users.map((user) => user.email.toLowerCase());
    const [taken] = await tx.select({ email: users.email }).from(users).where(inArray(sql`lower(${users.email})`, emails)).limit(1);
    if (taken !== undefined) {
      throw new KamertonError('conflict', `A user with the demo's e-mail address ${taken.email} exists already: ` +
        'the demo company was loaded before. Deactivate or rename the demo users to load it again.', { field: 'email', value: taken.email });
    }
    await writeRows(tx, rows);
  });

  const ledger = await loadDemoLedger(database, actor, plan, rows, seed);
  // After the analysis: the refusals follow what it says of each client (demo-refusals.ts).
  const refusalCount = await loadDemoRefusals(db, seed, new Date());
  await loadDemoWinBack(database, actor);

  const owned = new Map<number, number>();
  for (const account of plan.accounts) owned.set(account.owner, (owned.get(account.owner) ?? 0) + 1);
  // Counted in the database: the analysis runs move accounts to lost and the win-back detection to
  // won-back, and each such change and the win-back records add rows of history to the creates.
  const byStatus: Record<AccountStatus, number> = { prospect: 0, active: 0, lost: 0, 'won-back': 0 };
  for (const row of await db.select({ status: accounts.status, n: count() }).from(accounts).groupBy(accounts.status)) byStatus[row.status] = row.n;
  const historyRows = await db.$count(history);
  return {
    seed,
    password,
    users: plan.users.map((user, i) => ({ ...user, accounts: owned.get(i) ?? 0 })),
    accounts: rows.accounts.length,
    accountsByStatus: byStatus,
    contacts: rows.contacts.length,
    competitors: rows.competitors.length,
    competitorEntries: rows.entries.length,
    tenders: rows.tenders.length,
    refusals: refusalCount,
    historyRows,
    ledger,
  };
}

/**
 * Three years of invoices to the demo's clients (demo-ledger.ts), written to a temporary file and
 * loaded through the ordinary import, as an ERP export would be; then two analysis runs, a month
 * apart, so that the accounts show their segments at once and the dashboard the moves between them.
 * A client's profile follows its status: a lost account stopped buying, a won-back one came back
 * lately, an active one buys as one of the usual profiles (never "lost"); prospects have no ledger.
 * The end of the ledger is yesterday.
 */
async function loadDemoLedger(
  database: Pick<Database, 'db' | 'pool'>, actor: Actor, plan: DemoPlan, rows: Rows, seed: number,
): Promise<DemoSummary['ledger']> {
  const firstCode = new Map<string, string>();
  for (const code of rows.codes) if (!firstCode.has(code.accountId)) firstCode.set(code.accountId, code.code);
  const active = plan.accounts.filter((account) => account.fields.status === 'active').length;
  const mix = assignDemoProfiles(active, seed).map((profile) => (profile === 'lost' ? 'occasional' : profile));
  let next = 0;
  const clients: DemoLedgerClient[] = [];
  plan.accounts.forEach((account, i) => {
    const code = firstCode.get(rows.accounts[i]!.id);
    const status = account.fields.status;
    if (code === undefined || status === 'prospect') return;
    const profile: DemoSalesProfile = status === 'lost' ? 'lost' : status === 'won-back' ? 'new' : mix[next++] ?? 'regular';
    clients.push({ code, name: account.fields.name, profile });
  });
  const yesterday = new Date(Date.now() - 24 * 3600 * 1000);
  const dir = await mkdtemp(join(tmpdir(), 'kamerton-demo-'));
  const path = join(dir, 'sprzedaz-demo.csv');
  try {
    const written = await writeDemoLedger(path, clients, {
      seed,
      end: { year: yesterday.getFullYear(), month: yesterday.getMonth() + 1, day: yesterday.getDate() },
    });
    const record = await importLedger(database.pool, actor, { path, fileName: 'sprzedaz-demo.csv' });
    // A first run as of a month before the ledger's end, then the latest with the defaults, so that
    // the dashboard shows the accounts that moved between segments from the first load on.
    const lastDay = dayFromCivil(yesterday.getFullYear(), yesterday.getMonth() + 1, yesterday.getDate());
    await runAnalysis(database.pool, actor, { ...DEFAULT_ANALYSIS_PARAMS, asOf: addMonths(lastDay, -1) });
    const run = await runAnalysis(database.pool, actor, { ...DEFAULT_ANALYSIS_PARAMS });
    return { lines: written.lines, documents: written.documents, importId: record.id, analysisRunId: run.id };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function demoNotAvailable(): KamertonError {
  return new KamertonError('conflict', 'The database has accounts already: the demo company loads only into an empty one.', { field: 'accounts' });
}

type Rows = {
  users: (typeof users.$inferInsert & { id: string })[];
  competitors: (typeof competitors.$inferInsert & { id: string })[];
  accounts: (typeof accounts.$inferInsert & { id: string })[];
  codes: (typeof accountCodes.$inferInsert)[];
  team: (typeof accountTeam.$inferInsert)[];
  contacts: (typeof contacts.$inferInsert & { id: string })[];
  entries: (typeof accountCompetitors.$inferInsert & { id: string })[];
  tenders: (typeof tenders.$inferInsert & { id: string })[];
};

/**
 * The rows of the plan, each record passed through the schema its use-case validates with (so the
 * demo holds nothing the API would refuse), with ids made here so that the rows can name each other.
 */
async function prepareRows(plan: DemoPlan, password: string): Promise<Rows> {
  const userRows = await Promise.all(plan.users.map(async (user) => {
    const valid = parseInput(createUserInput, { ...user, password });
    return { id: randomUUID(), email: valid.email, name: valid.name, role: valid.role, passwordHash: await hashPassword(valid.password) };
  }));
  const competitorRows = plan.competitors.map((competitor) => ({ id: randomUUID(), ...parseInput(competitorCreateSchema, competitor) }));
  const rows: Rows = { users: userRows, competitors: competitorRows, accounts: [], codes: [], team: [], contacts: [], entries: [], tenders: [] };
  for (const account of plan.accounts) {
    const ownerId = (userRows[account.owner] as { id: string }).id;
    const { codes = [], ...fields } = parseInput(accountCreateSchema, { ...account.fields, ownerId });
    const accountId = randomUUID();
    rows.accounts.push({ ...fields, id: accountId, ownerId });
    for (const code of codes) rows.codes.push({ code, accountId });
    for (const member of account.team) rows.team.push({ accountId, userId: (userRows[member] as { id: string }).id });
    const contactIds = account.contacts.map(() => randomUUID());
    account.contacts.forEach((contact, i) => {
      const reportsToId = contact.reportsTo === null ? null : contactIds[contact.reportsTo] as string;
      rows.contacts.push({ ...parseInput(contactCreateSchema, { ...contact.fields, reportsToId }), id: contactIds[i] as string, accountId });
    });
    for (const entry of account.competitors) {
      const competitorId = (competitorRows[entry.competitor] as { id: string }).id;
      const { competitor: _index, ...data } = entry;
      rows.entries.push({ ...parseInput(accountCompetitorCreateSchema, { ...data, competitorId }), id: randomUUID(), accountId });
    }
    for (const tender of account.tenders) {
      const { winner, ...data } = tender;
      const winningCompetitorId = winner === null ? null : (competitorRows[winner] as { id: string }).id;
      rows.tenders.push({ ...parseInput(tenderCreateSchema, { ...data, winningCompetitorId }), id: randomUUID(), accountId });
    }
  }
  return rows;
}

/** Inserts `values` a chunk at a time, returning what each insert returns. */
async function insertAll<T, R>(values: readonly T[], insert: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const inserted: R[] = [];
  for (let start = 0; start < values.length; start += CHUNK) inserted.push(...await insert(values.slice(start, start + CHUNK)));
  return inserted;
}

type HistoryRow = typeof history.$inferInsert;

/** Writes the rows and their history in the caller's transaction; returns the number of history rows. */
async function writeRows(tx: Transaction, rows: Rows): Promise<number> {
  const historyRows: HistoryRow[] = [];
  // The record as the use-case would have kept it in history: its API view, by the system.
  const created = (entity: HistoryRow['entity'], entityId: string, accountId: string | null, record: object): void => {
    historyRows.push({ userId: null, entity, entityId, accountId, action: 'create', newValue: JSON.stringify(record) });
  };

  await tx.insert(users).values(rows.users);
  const userNames = new Map(rows.users.map((user) => [user.id, user.name]));

  const competitorNames = new Map<string, string>();
  for (const row of await insertAll(rows.competitors, (chunk) => tx.insert(competitors).values(chunk).returning())) {
    competitorNames.set(row.id, row.name);
    created('competitor', row.id, null, row);
  }

  const insertedAccounts = await insertAll(rows.accounts, (chunk) => tx.insert(accounts).values(chunk).returning());
  await insertAll(rows.codes, (chunk) => tx.insert(accountCodes).values(chunk).returning({ code: accountCodes.code }));
  await insertAll(rows.team, (chunk) => tx.insert(accountTeam).values(chunk).returning({ userId: accountTeam.userId }));
  const codesOf = groupBy(rows.codes, (row) => row.accountId, (row) => row.code);
  const teamOf = groupBy(rows.team, (row) => row.accountId, (row) => row.userId);
  for (const row of insertedAccounts) {
    created('account', row.id, row.id, {
      ...row,
      // Sorted as the use-cases sort them (code-point order), whatever the database's collation.
      codes: [...(codesOf.get(row.id) ?? [])].sort(),
      teamIds: [...(teamOf.get(row.id) ?? [])].sort(),
      ownerName: row.ownerId === null ? null : userNames.get(row.ownerId) ?? null,
    });
  }

  // A reports-to line names a contact of the same statement: PostgreSQL checks foreign keys at the
  // end of the statement, and every superior comes before their reports anyway.
  for (const row of await insertAll(rows.contacts, (chunk) => tx.insert(contacts).values(chunk).returning())) {
    created('contact', row.id, row.accountId, row);
  }
  for (const row of await insertAll(rows.entries, (chunk) => tx.insert(accountCompetitors).values(chunk).returning())) {
    created('account-competitor', row.id, row.accountId, { ...row, competitorName: competitorNames.get(row.competitorId) ?? null });
  }
  for (const row of await insertAll(rows.tenders, (chunk) => tx.insert(tenders).values(chunk).returning())) {
    const winningCompetitorName = row.winningCompetitorId === null ? null : competitorNames.get(row.winningCompetitorId) ?? null;
    created('tender', row.id, row.accountId, { ...row, winningCompetitorName });
  }
  await insertAll(historyRows, (chunk) => tx.insert(history).values(chunk).returning({ id: history.id }));
  return historyRows.length;
}

function groupBy<T, V>(items: readonly T[], key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [value(item)]);
    else group.push(value(item));
  }
  return groups;
}
