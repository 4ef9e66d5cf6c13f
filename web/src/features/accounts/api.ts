import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Account, Page } from '../../api/types.ts';

/** The list's query as GET /api/v1/accounts takes it (docs/api.md). */
export type AccountListQuery = {
  page?: number;
  pageSize?: number;
  sort?: string;
  order?: 'asc' | 'desc';
  q?: string;
  segment?: string;
  /** The segment in the run before the latest: with segment, the accounts that moved between the two. */
  previousSegment?: string;
  type?: string;
  activity?: string;
  status?: string;
  ownerId?: string;
  key?: string;
};

export function useAccounts(query: AccountListQuery) {
  return useQuery({
    queryKey: ['accounts', query],
    queryFn: ({ signal }) => api<Page<Account>>('/api/v1/accounts', { query, signal }),
    // The table keeps the last page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export type DirectoryUser = { id: string; name: string; role: 'admin' | 'director' | 'kam' | 'marketing' };

export type KeyScore = {
  account: string;
  runId: number;
  score: number;
  coverage: number;
  criteria: { criterion: string; value: number | null; score: number | null; weight: number; contribution: number }[];
};

export function useAccount(id: string) {
  return useQuery({ queryKey: ['account', id], queryFn: ({ signal }) => api<Account>(`/api/v1/accounts/${id}`, { signal }) });
}

/** The active users' names and roles, which any signed-in user may read (owners, teams, assignment). */
/** The users directory; `enabled` false where the page would not use it (it is fetched only once needed). */
export function useDirectory(enabled = true) {
  return useQuery({
    queryKey: ['directory'],
    queryFn: ({ signal }) => api<{ items: DirectoryUser[] }>('/api/v1/users/directory', { signal }).then((directory) => directory.items),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useKeyScore(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['account', id, 'key-score'],
    queryFn: ({ signal }) => api<KeyScore>(`/api/v1/accounts/${id}/key-score`, { signal }),
    enabled,
    retry: false,
  });
}
