/**
 * The win-back API's shapes (src/api/routes/win-back.routes.ts) and the queries and changes of the
 * win-back page.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { AccountStatus, Page } from '../../api/types.ts';

export const OFFER_TYPES = ['special-offer', 'gift', 'discount', 'other'] as const;
export type OfferType = (typeof OFFER_TYPES)[number];
export const OUTCOMES = ['won-back', 'declined', 'no-answer'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const ABC = ['A', 'B', 'C'] as const;
export const ACTIVITIES = ['lost', 'slipping'] as const;

export type Criteria = {
  lostWithinMonths?: number;
  activities?: (typeof ACTIVITIES)[number][];
  wasAbc?: (typeof ABC)[number][];
  minRefusals?: number;
  refusalMonths?: number;
  keyOnly?: boolean;
  ownerId?: string;
};

export type WinBackList = {
  id: string;
  name: string;
  criteria: Criteria;
  createdBy: string | null;
  createdByName: string | null;
  version: number;
  refreshedAt: string | null;
  refreshedRunId: number | null;
  members: number;
  editable: boolean;
};

export type Member = {
  accountId: string;
  name: string;
  code: string | null;
  ownerId: string | null;
  ownerName: string | null;
  status: AccountStatus;
  activity: string | null;
  lostSince: string | null;
  lastSegment: string | null;
  wasAbc: string | null;
  refusals: number;
  revenueBeforeLoss: number | null;
  openAction: { id: string; offerType: OfferType; discountPercent: number | null; dueOn: string; ownerName: string | null } | null;
};

export type WinBackAction = {
  id: string;
  accountId: string;
  accountName: string;
  accountStatus: AccountStatus;
  listId: string | null;
  listName: string | null;
  offerType: OfferType;
  discountPercent: number | null;
  offer: string | null;
  ownerId: string;
  ownerName: string | null;
  dueOn: string;
  outcome: Outcome | null;
  outcomeOn: string | null;
  wonBackOn: string | null;
  segment: string | null;
  note: string | null;
  state: 'open' | 'overdue' | 'closed';
  version: number;
};

export type RateRow = {
  key: string;
  actions: number;
  open: number;
  wonBack: number;
  declined: number;
  noAnswer: number;
  rate: number | null;
  openShare: number | null;
  medianDaysToPurchase: number | null;
};

export type Rates = { from: string | null; to: string | null; total: RateRow; byOfferType: RateRow[]; bySegment: RateRow[] };

export function useWinBackLists() {
  return useQuery({
    queryKey: ['win-back', 'lists'],
    queryFn: ({ signal }) => api<{ items: WinBackList[] }>('/api/v1/win-back/lists', { signal }).then((lists) => lists.items),
  });
}

export function useMembers(listId: string | null, page: number, pageSize: number) {
  return useQuery({
    queryKey: ['win-back', 'members', listId, page, pageSize],
    queryFn: ({ signal }) => api<Page<Member>>(`/api/v1/win-back/lists/${listId ?? ''}/members`, { query: { page, pageSize }, signal }),
    enabled: listId !== null,
    placeholderData: keepPreviousData,
  });
}

/** The board holds the latest 200 actions in scope; older ones are closed long since. */
export function useActions(ownerId: string | undefined) {
  return useQuery({
    queryKey: ['win-back', 'actions', ownerId ?? null],
    queryFn: ({ signal }) => api<Page<WinBackAction>>('/api/v1/win-back/actions', { query: { pageSize: 200, ...(ownerId ? { ownerId } : {}) }, signal }),
  });
}

export function useRates(from: string | undefined, to: string | undefined) {
  return useQuery({
    queryKey: ['win-back', 'rates', from ?? null, to ?? null],
    queryFn: ({ signal }) => api<Rates>('/api/v1/win-back/rates', { query: { ...(from ? { from } : {}), ...(to ? { to } : {}) }, signal }),
  });
}

/** Every change on the page may move members, cards and rates: all of win-back is asked again. */
export function useWinBackChange<T>(change: (input: T) => Promise<unknown>, onDone?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['win-back'] });
      onDone?.();
    },
  });
}
