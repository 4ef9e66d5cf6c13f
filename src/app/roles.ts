/**
 * What each role may do, decided by the role alone (access.ts decides per record, with the data in
 * hand). These rules need no database, so that use-cases which ask nothing else, such as the ledger's
 * import, do not load the query builder for them.
 */
import { KamertonError } from '../core/errors.ts';
import type { Actor } from './actor.ts';

/** The account fields marketing never receives: they are left out of the objects, not nulled. */
export const FINANCIAL_FIELDS = ['annualPotential', 'paymentDaysLate', 'privateNotes'] as const;
export type FinancialField = (typeof FINANCIAL_FIELDS)[number];

/** Whether the actor sees the financial fields, the payment data and the private notes. */
export function seesFinancialFields(actor: Actor): boolean {
  return actor.role !== 'marketing';
}

/** Whether the actor manages every account: deletes them and assigns their owners. */
export function managesAccounts(actor: Actor): boolean {
  return actor.role === 'director' || actor.role === 'admin' || actor.role === 'system';
}

/** Throws forbidden unless the actor may change dossiers at all (everyone but marketing). */
export function assertMayWriteDossiers(actor: Actor): void {
  if (actor.role === 'marketing') {
    throw new KamertonError('forbidden', 'Marketing reads account dossiers but does not change them.');
  }
}

/**
 * Throws forbidden unless the actor may read the parts of a dossier beyond the account and its
 * contacts (competitors, tenders, history): marketing may not.
 */
export function assertMayReadDossierDetails(actor: Actor): void {
  if (actor.role === 'marketing') {
    throw new KamertonError('forbidden', 'Marketing reads accounts and contacts only.');
  }
}

/** Throws forbidden unless the actor manages every account (director, admin, system). */
export function assertManagesAccounts(actor: Actor, what: string): void {
  if (!managesAccounts(actor)) throw new KamertonError('forbidden', `Only a director or an administrator may ${what}.`);
}
