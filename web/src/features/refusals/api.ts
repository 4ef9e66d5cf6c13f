/**
 * The refusals' API as the pages use it: an account's log, the portfolio's log and the statistics
 * (src/api/routes/refusals.routes.ts is the reference).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';

export const REFUSAL_KINDS = ['declined-offer', 'lost-tender', 'cancelled-order', 'complaint'] as const;
export const REFUSAL_REASONS = ['price', 'quality', 'service', 'delivery', 'competitor', 'relationship', 'other'] as const;
export type RefusalKind = (typeof REFUSAL_KINDS)[number];
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export type TrendDirection = 'rising' | 'falling' | 'flat';

/** One colour per reason, the same on every chart (Mantine's shade 7, legible on white). */
export const REASON_COLOURS: Record<RefusalReason, string> = {
  price: '#e8590c',
  quality: '#9c36b5',
  service: '#1971c2',
  delivery: '#2f9e44',
  competitor: '#c92a2a',
  relationship: '#f08c00',
  other: '#495057',
};

export type Refusal = {
  id: string;
  accountId: string;
  accountName: string;
  kind: RefusalKind;
  reason: RefusalReason;
  direction: string | null;
  note: string | null;
  occurredOn: string;
  value: number | null;
  tenderId: string | null;
  tenderTitle: string | null;
  competitorId: string | null;
  competitorName: string | null;
  createdByName: string | null;
  version: number;
};

export type Trend = {
  slope: number;
  mean: number;
  recent: number;
  previous: number;
  direction: TrendDirection;
  months: string[];
  counts: number[];
};

export type Share = { count: number; share: number };

export type RefusalStats = {
  from: string;
  to: string;
  accountId: string | null;
  ownerId: string | null;
  total: number;
  value: number;
  months: { month: string; count: number; byKind: Record<RefusalKind, number>; byReason: Record<RefusalReason, number> }[];
  kinds: (Share & { kind: RefusalKind })[];
  reasons: (Share & { reason: RefusalReason })[];
  directions: (Share & { direction: string | null })[];
  trend: Trend;
  accounts: { accountId: string; accountName: string; ownerName: string | null; count: number; lastOn: string; trend: Trend }[];
};

export type RefusalFilters = { kind?: RefusalKind; reason?: RefusalReason; ownerId?: string; page?: number; pageSize?: number };

export function useAccountRefusals(accountId: string) {
  return useQuery({
    queryKey: ['account', accountId, 'refusals'],
    queryFn: ({ signal }) => api<Page<Refusal>>(`/api/v1/accounts/${accountId}/refusals`, { query: { pageSize: 200 }, signal }),
  });
}

export function usePortfolioRefusals(filters: RefusalFilters) {
  return useQuery({
    queryKey: ['refusals', 'log', filters],
    queryFn: ({ signal }) => api<Page<Refusal>>('/api/v1/refusals', { query: filters, signal }),
    placeholderData: keepPreviousData,
  });
}

/** The statistics of one account (`accountId`) or of the portfolio (optionally one owner's). */
export function useRefusalStats(scope: { accountId?: string; ownerId?: string }) {
  return useQuery({
    queryKey: scope.accountId === undefined ? ['refusals', 'stats', scope.ownerId ?? null] : ['account', scope.accountId, 'refusals', 'stats'],
    queryFn: ({ signal }) => api<RefusalStats>('/api/v1/refusals/stats', { query: scope, signal }),
  });
}
