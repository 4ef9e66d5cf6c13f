/**
 * The activity API's shapes (src/api/routes/activity.routes.ts) and the queries of the Slipping and
 * lost page and the dossier's Activity tab.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

export const ACTIVITY_REASONS = ['days-without-purchase', 'p-alive-below', 'unusual-gap', 'p-alive-drop', 'purchased-again'] as const;
export type ActivityReason = (typeof ACTIVITY_REASONS)[number];
export type Activity = 'active' | 'slipping' | 'lost';
export type TimeUnit = 'day' | 'week';

export type ActivityRules = {
  lostDays: number;
  pAliveLost: number;
  minRepeatPurchases: number;
  pAliveDrop: number;
  timeUnit: TimeUnit;
  horizon: number;
};

export type ActivityRulesView = {
  inForce: ActivityRules & { id: number | null };
  defaults: ActivityRules;
  versions: (ActivityRules & { id: number; note: string | null; createdAt: string; createdBy: string | null; createdByName: string | null })[];
};

export type ActivityAccount = {
  accountId: string;
  accountName: string;
  ownerId: string | null;
  ownerName: string | null;
  status: string;
  segment: string | null;
  isKey: boolean;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  medianGap: number | null;
  repeatPurchases: number | null;
  pAlive: number | null;
  previousPAlive: number | null;
  expectedPurchases: number | null;
  reasons: ActivityReason[];
  since: string | null;
};

export type ActivityAccountsPage = {
  run: { id: number; asOf: string; model: { timeUnit: TimeUnit; horizon: number } | null } | null;
  rules: ActivityRules;
  activity: 'slipping' | 'lost';
  counts: { slipping: number; lost: number; reasons: Record<ActivityReason, number> };
  total: number;
  offset: number;
  limit: number;
  items: ActivityAccount[];
};

export type AccountActivity = {
  accountId: string;
  status: string;
  series: {
    runId: number;
    asOf: string;
    activity: Activity;
    daysSinceLastPurchase: number | null;
    repeatPurchases: number | null;
    pAlive: number | null;
    expectedPurchases: number | null;
    expectedRevenue: number | null;
    timeUnit: TimeUnit | null;
    horizon: number | null;
    reasons: ActivityReason[];
  }[];
  changes: {
    id: number;
    runId: number;
    changedOn: string;
    from: Activity | null;
    to: Activity;
    reasons: ActivityReason[];
    details: { daysSinceLastPurchase?: number | null; pAlive?: number | null; previousPAlive?: number | null; rules?: ActivityRules };
  }[];
};

export function useActivityRules(enabled = true) {
  return useQuery({
    queryKey: ['activity-rules'],
    queryFn: ({ signal }) => api<ActivityRulesView>('/api/v1/activity-rules', { signal }),
    enabled,
  });
}

export type ActivityQuery = { activity: 'slipping' | 'lost'; ownerId?: string; keyOnly?: boolean; sort: string; offset: number; limit: number };

export function useActivityAccounts(query: ActivityQuery) {
  return useQuery({
    queryKey: ['activity-accounts', query],
    queryFn: ({ signal }) => api<ActivityAccountsPage>('/api/v1/activity/accounts', {
      signal,
      query: {
        activity: query.activity, sort: query.sort, offset: String(query.offset), limit: String(query.limit),
        ...(query.ownerId === undefined ? {} : { ownerId: query.ownerId }),
        ...(query.keyOnly === true ? { keyOnly: 'true' } : {}),
      },
    }),
    placeholderData: keepPreviousData,
    // Each analysis run changes the list: it is asked for afresh whenever the page opens.
    staleTime: 0,
  });
}

export function useAccountActivity(accountId: string) {
  return useQuery({
    queryKey: ['account', accountId, 'activity'],
    queryFn: ({ signal }) => api<AccountActivity>(`/api/v1/accounts/${accountId}/activity`, { signal }),
    staleTime: 0,
  });
}
