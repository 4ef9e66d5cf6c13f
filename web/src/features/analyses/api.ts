/**
 * The analysis runs as the server gives them (src/api/routes/analysis.routes.ts): the parameters'
 * defaults, the runs, a new run, and the comparison of two runs with one cell's movers paged.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Segment } from '../../../../src/core/types.ts';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';

/** The parameters of a run, as POST /analysis-runs takes them and every run keeps them. */
export type AnalysisParams = {
  period: string;
  asOf: string | null;
  from: string | null;
  metric: string;
  abc: [number, number];
  xyzMode: string;
  xyzFreq: [number, number];
  xyz: [number, number];
  breadwinner: number;
  keySegments: Segment[];
  lostDays: number;
};

export type AnalysisDefaults = {
  params: AnalysisParams;
  options: { period: string[]; metric: string[]; xyzMode: string[]; keySegments: Segment[] };
};

export type Run = {
  id: number;
  createdAt: string;
  userId: string | null;
  userName: string | null;
  importId: number | null;
  params: AnalysisParams;
  window: { from: string; to: string; period: string; periods: number; asOf: string };
  segments: Record<Segment, { clients: number; revenue?: number }>;
  /** For the director and the administrator only, as the money per segment. */
  totals?: { clients: number; revenue: number; margin: number | null };
  keyClients?: { count: number; revenueShare: number | null; marginShare: number | null; band: string | null };
};

export type Mover = {
  account: string;
  accountName: string;
  from: Segment | null;
  to: Segment | null;
  revenueBefore: number | null;
  revenueAfter: number | null;
  revenueChange: number | null;
  frequencyBefore: number | null;
  frequencyAfter: number | null;
  frequencyChange: number | null;
};

export type Comparison = {
  from: number;
  to: number;
  matrix: Record<Segment, Record<Segment, number>>;
  entered: Record<Segment, number>;
  left: Record<Segment, number>;
  stayed: number;
  moved: number;
  moversTotal: number;
  movers: Mover[];
};

/** One side of a transition cell: a segment, or `none` (the account was not in that run). */
export type Side = Segment | 'none';

export type ComparisonQuery = {
  from: number;
  to: number;
  fromSegment?: Side | undefined;
  toSegment?: Side | undefined;
  moversOffset: number;
  moversLimit: number;
};

export function useAnalysisDefaults() {
  return useQuery({
    queryKey: ['analysis-defaults'],
    queryFn: ({ signal }) => api<AnalysisDefaults>('/api/v1/analysis-runs/defaults', { signal }),
    staleTime: Infinity,
  });
}

export function useRuns(page: number, pageSize: number) {
  return useQuery({
    queryKey: ['analysis-runs', page, pageSize],
    queryFn: ({ signal }) => api<Page<Run>>('/api/v1/analysis-runs', { query: { page, pageSize }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useRunAnalysis(onDone: (run: Run) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (params: AnalysisParams) => api<Run>('/api/v1/analysis-runs', { method: 'POST', body: params }),
    onSuccess: (run) => {
      // A new run changes the accounts' segments and scores too, wherever they are shown.
      void queryClient.invalidateQueries({ queryKey: ['analysis-runs'] });
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['account'] });
      onDone(run);
    },
  });
}

export function useComparison(query: ComparisonQuery | null) {
  return useQuery({
    queryKey: ['analysis-comparison', query],
    queryFn: ({ signal }) => api<Comparison>('/api/v1/analysis-runs/compare', { query: query ?? {}, signal }),
    enabled: query !== null,
    placeholderData: keepPreviousData,
  });
}

/** The link that downloads a run's workbook (the director and the administrator). */
export function reportHref(runId: number): string {
  return `/api/v1/analysis-runs/${runId}/report.xlsx`;
}
