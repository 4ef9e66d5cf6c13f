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
