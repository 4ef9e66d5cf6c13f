/**
 * An account's sales from the stored ledger: by month, its top products, its product groups and its
 * totals. Those who may change the account read them; marketing does not, because every figure is
 * money. Money is in złote, as every figure the API publishes (the analysis's too), converted from the
 * ledger's grosze only here, after summing, so that a sum never depends on the order of lines.
 */
import type { Db } from '../db/client.ts';
import {
  readGroupSales, readMonthlySales, readSalesTotals, readTopProducts,
  type GroupSales, type MonthSales, type ProductSales, type SalesTotals,
} from '../db/account-sales.ts';
import { loadAccessibleAccount } from './access.ts';
import type { Actor } from './actor.ts';
import { assertMayReadDossierDetails } from './roles.ts';

/** How many products the sales view lists: the largest by revenue. */
export const TOP_PRODUCTS = 50;

export type AccountSales = {
  /** Every month from the first to the last with a ledger line, oldest first, months without one zero-filled. */
  months: MonthSales[];
  /** The 50 products with the largest revenue. */
  products: ProductSales[];
  /** Every product group, by revenue; null is the lines without a group. */
  groups: GroupSales[];
  totals: SalesTotals;
};

/** Grosze to złote, as the analysis converts them: the number nearest the exact amount. */
function zloty(grosze: number): number {
  return grosze / 100;
}

function zlotyOrNull(grosze: number | null): number | null {
  return grosze === null ? null : zloty(grosze);
}

/** The sales of account `accountId`; not-found for an account the actor may not see, forbidden for marketing. */
export async function getAccountSales(db: Db, actor: Actor, accountId: string): Promise<AccountSales> {
  assertMayReadDossierDetails(actor);
  // One snapshot for the four reads, so that an import committing meanwhile cannot make the months
  // disagree with the totals.
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'read');
    const months = await readMonthlySales(tx, accountId);
    const products = await readTopProducts(tx, accountId, TOP_PRODUCTS);
    const groups = await readGroupSales(tx, accountId);
    const totals = await readSalesTotals(tx, accountId);
    return {
      months: months.map((m) => ({ ...m, revenue: zloty(m.revenue), margin: zlotyOrNull(m.margin) })),
      products: products.map((p) => ({ ...p, revenue: zloty(p.revenue), margin: zlotyOrNull(p.margin) })),
      groups: groups.map((g) => ({ ...g, revenue: zloty(g.revenue), margin: zlotyOrNull(g.margin) })),
      totals: { ...totals, revenue: zloty(totals.revenue), margin: zlotyOrNull(totals.margin) },
    };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}
