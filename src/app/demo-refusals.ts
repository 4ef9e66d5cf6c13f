/**
 * The demo company's refusals: declined offers, lost tenders, cancelled orders and complaints over
 * the last two and a half years, written after the demo's ledger is imported and analysed, because
 * they follow what the analysis says of each client: a lost or slipping client refused us more often,
 * and lately; an active one now and then; a prospect declined an offer or two. Price is the most
 * common reason, as in most B2B sales; a complaint is about quality, delivery or service. A lost
 * tender of the dossier becomes a lost-tender refusal naming it and its winner. The directions are
 * the product groups the client buys (from its ledger lines), or a department of the client.
 *
 * The choices follow from the demo's seed (demo-random.ts) and the accounts in name order, so the
 * same seed gives the same refusals; the dates are counted back from `today`. Every refusal passes
 * the use-case's input schema and gets the 'create' history row the use-case would write, by the system.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { dayFromCivil, formatDay } from '../core/calendar.ts';
import type { Db } from '../db/client.ts';
import { history, refusals, type AccountStatus } from '../db/schema/index.ts';
import { createRandom, type Random } from './demo-random.ts';
import { parseInput } from './input.ts';
import { refusalCreateSchema, type RefusalKind, type RefusalReason, type RefusalView } from './refusals.ts';

/** How far back the demo's refusals reach, in days (about two and a half years). */
const SPAN_DAYS = 900;

/** Another stream of the seed than the plan's and the ledger's, so that adding refusals changes neither. */
const STREAM = 0x7e_f0_5a_15;

const REASONS: readonly (readonly [RefusalReason, number])[] = [
  ['price', 34], ['competitor', 15], ['delivery', 14], ['quality', 12], ['service', 10], ['relationship', 8], ['other', 7],
];
const COMPLAINT_REASONS: readonly (readonly [RefusalReason, number])[] = [['quality', 45], ['delivery', 30], ['service', 20], ['other', 5]];
const KINDS: readonly (readonly [Exclude<RefusalKind, 'lost-tender'>, number])[] = [['declined-offer', 50], ['complaint', 28], ['cancelled-order', 22]];

const DEPARTMENTS = ['Dział zakupów', 'Utrzymanie ruchu', 'Dział BHP', 'Magazyn', 'Produkcja'] as const;

/** Notes by reason, as a KAM would write them. */
const NOTES: Record<RefusalReason, readonly string[]> = {
  price: [
    'Klient uznał ofertę za za drogą; oczekiwał rabatu ok. 8%.',
    'Zakupy wybrały tańszy zamiennik, mimo gorszych parametrów.',
    'Budżet na kwartał obcięty, klient szuka oszczędności.',
    'Podwyżka cennika od stycznia nie została zaakceptowana.',
  ],
  quality: [
    'Partia z wadami: reklamacja 3 palet, wymiana na koszt dostawcy.',
    'Produkt nie spełnił normy wymaganej przez dział BHP.',
    'Użytkownicy skarżą się na trwałość; klient wstrzymał kolejne zamówienie.',
  ],
  service: [
    'Brak odpowiedzi opiekuna przez tydzień w czasie urlopu.',
    'Faktura korygująca wystawiona po miesiącu.',
    'Klient oczekiwał wizyty technicznej, której nie zorganizowaliśmy.',
  ],
  delivery: [
    'Dostawa opóźniona o 5 dni roboczych, linia stała.',
    'Niepełna dostawa: brak dwóch pozycji z zamówienia.',
    'Konkurent dostarcza z lokalnego magazynu w 24 godziny.',
  ],
  competitor: [
    'Konkurent zaproponował dłuższy termin płatności (60 dni).',
    'Konkurent wszedł z pełnym asortymentem i jednym fakturowaniem.',
    'Konkurent od lat współpracuje z zarządem klienta.',
  ],
  relationship: [
    'Zmiana kierownika zakupów; nowa osoba współpracuje z innym dostawcą.',
    'Klient ma żal po sporze o reklamację z zeszłego roku.',
  ],
  other: [
    'Projekt klienta wstrzymany do odwołania.',
    'Zmiana technologii u klienta, produkt przestał być potrzebny.',
  ],
};

type DemoAccount = {
  id: string;
  name: string;
  status: AccountStatus;
  potential: number | null;
  activity: 'active' | 'slipping' | 'lost' | null;
  groups: string[];
  competitorIds: string[];
};

type DemoTender = { id: string; accountId: string; title: string; date: string; value: number | null; winnerId: string | null };

/**
 * Writes the demo's refusals for the accounts in the database (the demo's, just loaded and analysed);
 * returns how many. `today` is the demo's today, the dates counted back from it.
 */
export async function loadDemoRefusals(db: Db, seed: number, today: Date): Promise<number> {
  const random = createRandom((seed ^ STREAM) >>> 0);
  const todayNumber = dayFromCivil(today.getFullYear(), today.getMonth() + 1, today.getDate());
  return db.transaction(async (tx) => {
    // Ordered by name in code-point order, whatever the collation: the same seed walks the same accounts.
    const { rows: accountRows } = await tx.execute<{
      id: string; name: string; status: AccountStatus; annual_potential: string | null; activity: DemoAccount['activity'];
      groups: string[] | null; competitor_ids: string[] | null;
    }>(sql`
      select a.id, a.name, a.status, a.annual_potential::text as annual_potential, r.activity,
             (select array_agg(distinct l.product_group order by l.product_group) from ledger_lines l
               where l.account_id = a.id and l.product_group is not null) as groups,
             (select array_agg(e.competitor_id::text order by c.name) from account_competitors e join competitors c on c.id = e.competitor_id
               where e.account_id = a.id) as competitor_ids
        from accounts a
        left join analysis_results r on r.account_id = a.id and r.run_id = (select max(id) from analysis_runs)
       order by a.name collate "C"`);
    const { rows: tenderRows } = await tx.execute<{
      id: string; account_id: string; title: string; date: string; value: number | null; winning_competitor_id: string | null;
    }>(sql`
      select t.id, t.account_id, t.title, to_char(t.date, 'YYYY-MM-DD') as date, t.value::float8 as value, t.winning_competitor_id
        from tenders t where t.outcome = 'lost' and t.date >= ${formatDay(todayNumber - SPAN_DAYS)}::date and t.date <= ${formatDay(todayNumber)}::date
       order by t.date, t.title collate "C"`);
    const { rows: competitorRows } = await tx.execute<{ id: string; name: string }>(sql`select id, name from competitors order by name collate "C"`);
    if (accountRows.length === 0) return 0;

    const competitorNames = new Map(competitorRows.map((row) => [row.id, row.name]));
    const allGroups = [...new Set(accountRows.flatMap((row) => row.groups ?? []))].sort();
    const tendersOf = new Map<string, DemoTender[]>();
    for (const row of tenderRows) {
      const list = tendersOf.get(row.account_id) ?? [];
      list.push({ id: row.id, accountId: row.account_id, title: row.title, date: row.date, value: row.value, winnerId: row.winning_competitor_id });
      tendersOf.set(row.account_id, list);
    }

    const views: RefusalView[] = [];
    const now = new Date();
    for (const row of accountRows) {
      const account: DemoAccount = {
        id: row.id, name: row.name, status: row.status, potential: row.annual_potential === null ? null : Number(row.annual_potential),
        activity: row.activity, groups: row.groups ?? [], competitorIds: row.competitor_ids ?? [],
      };
      for (const planned of planAccountRefusals(random, account, tendersOf.get(account.id) ?? [], allGroups, competitorRows.map((c) => c.id), todayNumber)) {
        const { tenderTitle, ...input } = planned;
        const fields = parseInput(refusalCreateSchema, input);
        views.push({
          id: randomUUID(),
          accountId: account.id,
          accountName: account.name,
          kind: fields.kind,
          reason: fields.reason,
          direction: fields.direction ?? null,
          note: fields.note ?? null,
          occurredOn: fields.occurredOn,
          value: fields.value ?? null,
          tenderId: fields.tenderId ?? null,
          tenderTitle,
          competitorId: fields.competitorId ?? null,
          competitorName: fields.competitorId == null ? null : competitorNames.get(fields.competitorId) ?? null,
          createdBy: null,
          createdByName: null,
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
      }
    }
    for (let start = 0; start < views.length; start += 500) {
      const chunk = views.slice(start, start + 500);
      await tx.insert(refusals).values(chunk.map((view) => ({
        id: view.id, accountId: view.accountId, kind: view.kind, reason: view.reason, direction: view.direction, note: view.note,
        occurredOn: view.occurredOn, value: view.value, tenderId: view.tenderId, competitorId: view.competitorId, createdBy: null,
        createdAt: view.createdAt, updatedAt: view.updatedAt,
      })));
      await tx.insert(history).values(chunk.map((view) => ({
        userId: null, entity: 'refusal' as const, entityId: view.id, accountId: view.accountId, action: 'create' as const, newValue: JSON.stringify(view),
      })));
    }
    return views.length;
  });
}

type PlannedRefusal = {
  kind: RefusalKind;
  reason: RefusalReason;
  direction: string | null;
  note: string | null;
  occurredOn: string;
  value: number | null;
  tenderId: string | null;
  tenderTitle: string | null;
  competitorId: string | null;
};

/** How many refusals (besides lost tenders) an account has, and how recent they lean, by what it is now. */
function volumeOf(random: Random, account: DemoAccount): { count: number; recency: number } {
  if (account.status === 'prospect') return { count: random.weighted([[0, 55], [1, 30], [2, 15]]), recency: 1 };
  if (account.status === 'lost' || account.activity === 'lost') return { count: random.int(3, 8), recency: 0.8 };
  if (account.activity === 'slipping') return { count: random.int(2, 6), recency: 1.6 };
  if (account.status === 'won-back') return { count: random.int(1, 4), recency: 0.6 };
  return { count: random.weighted([[0, 35], [1, 30], [2, 20], [3, 10], [4, 5]]), recency: 1.2 };
}

function planAccountRefusals(
  random: Random, account: DemoAccount, lostTenders: readonly DemoTender[], allGroups: readonly string[], competitorIds: readonly string[], today: number,
): PlannedRefusal[] {
  const planned: PlannedRefusal[] = [];
  const direction = (): string | null => {
    const groups = account.groups.length > 0 ? account.groups : allGroups;
    if (random.chance(0.08)) return null;
    return random.chance(0.82) && groups.length > 0 ? random.pick(groups) : random.pick(DEPARTMENTS);
  };
  const rival = (): string | null => {
    const pool = account.competitorIds.length > 0 ? account.competitorIds : competitorIds;
    return pool.length === 0 ? null : random.pick(pool);
  };

  // A lost tender of the dossier is most often logged as a refusal, a few days after the decision.
  for (const tender of lostTenders) {
    if (!random.chance(0.6)) continue;
    const reason = random.weighted<RefusalReason>([['competitor', 45], ['price', 40], ['quality', 8], ['other', 7]]);
    const day = Math.min(today, dayOf(tender.date) + random.int(0, 10));
    planned.push({
      kind: 'lost-tender', reason, direction: direction(), note: random.chance(0.7) ? random.pick(NOTES[reason]) : null,
      occurredOn: formatDay(day), value: tender.value, tenderId: tender.id, tenderTitle: tender.title,
      competitorId: tender.winnerId ?? (reason === 'competitor' ? rival() : null),
    });
  }

  const { count, recency } = volumeOf(random, account);
  for (let i = 0; i < count; i += 1) {
    const kind = account.status === 'prospect' ? 'declined-offer' : random.weighted(KINDS);
    const reason = random.weighted(kind === 'complaint' ? COMPLAINT_REASONS : REASONS);
    // Days back: u^recency leans towards today for recency > 1 (a slipping client's refusals are lately).
    const back = Math.floor(SPAN_DAYS * random.next() ** recency);
    const base = account.potential ?? 200_000;
    const value = kind === 'complaint'
      ? (random.chance(0.4) ? roundTo(base * random.uniform(0.002, 0.02), 100) : null)
      : random.chance(0.75) ? roundTo(base * random.uniform(kind === 'declined-offer' ? 0.03 : 0.01, kind === 'declined-offer' ? 0.2 : 0.06), 100) : null;
    planned.push({
      kind, reason, direction: direction(), note: random.chance(0.75) ? random.pick(NOTES[reason]) : null,
      occurredOn: formatDay(today - back), value, tenderId: null, tenderTitle: null,
      competitorId: reason === 'competitor' || (reason === 'price' && random.chance(0.3)) ? rival() : null,
    });
  }
  return planned;
}

function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

function dayOf(day: string): number {
  return dayFromCivil(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
}
