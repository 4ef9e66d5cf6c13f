import { useQuery } from '@tanstack/react-query';
import type { Activity } from '../../../../src/core/types.ts';
import { api } from '../../api/client.ts';

type AccountFacts = {
  accountId: string;
  accountName: string;
  segment: string | null;
  /** Codes: days-without-purchase, p-alive-below, unusual-gap, p-alive-drop. */
  reasons: string[];
  daysSinceLastPurchase: number | null;
  lastPurchase: string | null;
  pAlive: number | null;
};

export type SlippingEntry = AccountFacts;
export type LostEntry = AccountFacts & { fromActivity: Exclude<Activity, 'lost'>; changedOn: string; runId: number };
export type OverdueEntry = {
  actionId: string;
  accountId: string;
  accountName: string;
  offerType: 'special-offer' | 'gift' | 'discount' | 'other';
  discountPercent: number | null;
  offer: string | null;
  dueOn: string;
  daysOverdue: number;
};

/** GET /api/v1/digest (docs/api.md). */
export type Digest = {
  user: { id: string; name: string; email: string; role: string };
  day: string;
  run: { id: number; asOf: string | null; createdAt: string } | null;
  slipping: SlippingEntry[];
  newlyLost: LostEntry[];
  overdue: OverdueEntry[];
  counts: { slipping: number; newlyLost: number; overdue: number; total: number };
};

/** The digest of `userId` (default the signed-in user) for today in the company's time zone. */
export function useDigest(userId: string | undefined) {
  return useQuery({
    queryKey: ['digest', userId ?? 'me'],
    queryFn: ({ signal }) => api<Digest>('/api/v1/digest', { signal, query: { userId } }),
  });
}
