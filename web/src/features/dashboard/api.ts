import { useQuery } from '@tanstack/react-query';
import type { Activity, KeyClientType, Segment } from '../../../../src/core/types.ts';
import { api } from '../../api/client.ts';

/** GET /api/v1/dashboard (docs/api.md): money fields are absent for marketing. */
export type Dashboard = {
  run: null | {
    id: number;
    createdAt: string;
    window: { from: string; to: string; period: string; periods: number; asOf: string };
    metric: 'revenue' | 'margin';
    abc: [number, number];
  };
  previousRunId: number | null;
  scope: { ownerId: string | null; accounts: number };
  totals: { clients: number; revenue?: number; margin?: number | null };
  matrix: MatrixCell[];
  pareto: null | {
    points: { clientShare: number; valueShare: number }[];
    cuts: { a: number; b: number };
    clientCuts: { a: number; b: number };
  };
  keyClients: { count: number; valueShare?: number | null; band: [number, number] };
  types: Record<KeyClientType, number>;
  activity: Record<Activity, number>;
  transitions: null | {
    fromRunId: number;
    toRunId: number;
    matrix: Record<Segment, Record<Segment, number>>;
    entered: Record<Segment, number>;
    left: Record<Segment, number>;
    moved: number;
    stayed: number;
    movers: { accountId: string; accountName: string; from: Segment | null; to: Segment | null; revenueChange?: number | null }[];
  };
  growth: null | { leaders: GrowthEntry[]; decliners: GrowthEntry[] };
};

export type MatrixCell = {
  segment: Segment;
  clients: number;
  clientShare: number | null;
  revenue?: number;
  revenueShare?: number | null;
  margin?: number | null;
  marginShare?: number | null;
};

export type GrowthEntry = { accountId: string; accountName: string; revenue: number; growth: number };

export type KamPortfolio = {
  ownerId: string | null;
  name: string | null;
  accounts: number;
  revenue: number;
  revenueShare: number | null;
  margin: number | null;
  keyClients: number;
  aClients: number;
  slipping: number;
  lost: number;
};

/** The dashboard of the latest run, for `ownerId` (an owner's id or "unassigned"), or the actor's own scope. */
export function useDashboard(ownerId: string | undefined) {
  return useQuery({
    queryKey: ['dashboard', ownerId ?? null],
    queryFn: ({ signal }) => api<Dashboard>('/api/v1/dashboard', { query: { ownerId }, signal }),
  });
}

export function useKamPortfolios(enabled: boolean) {
  return useQuery({
    queryKey: ['dashboard', 'kams'],
    queryFn: ({ signal }) => api<{ items: KamPortfolio[] }>('/api/v1/dashboard/kams', { signal }).then((answer) => answer.items),
    enabled,
  });
}
