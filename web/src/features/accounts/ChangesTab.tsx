/** Every change to the dossier (the account, its people, competitor entries, tenders), newest first. */
import { Group, Loader, Pagination, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';

export type HistoryEntry = {
  id: number;
  at: string;
  userId: string | null;
  userName: string | null;
  entity: string;
  entityId: string;
  action: string;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
};

const PAGE_SIZE = 50;

export function ChangesTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const history = useQuery({
    queryKey: ['account', accountId, 'history', page],
    queryFn: ({ signal }) => api<Page<HistoryEntry>>(`/api/v1/accounts/${accountId}/history`, { query: { page, pageSize: PAGE_SIZE }, signal }),
    placeholderData: keepPreviousData,
  });
  if (history.isPending) return <Loader aria-label={t('app.loading')} />;
  if (history.error) return <ErrorAlert error={history.error} />;
  const data = history.data;
  if (data.total === 0) return <Text c="dimmed">{t('changes.empty')}</Text>;
  return (
    <Stack>
      <Table striped aria-label={t('dossier.tabs.changes')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('changes.when')}</Table.Th><Table.Th>{t('changes.who')}</Table.Th><Table.Th>{t('changes.what')}</Table.Th>
            <Table.Th>{t('changes.field')}</Table.Th><Table.Th>{t('changes.before')}</Table.Th><Table.Th>{t('changes.after')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.items.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td>{format.dateTime(entry.at)}</Table.Td>
              <Table.Td>{entry.userName ?? t('timeline.system')}</Table.Td>
              <Table.Td>{t(`timeline.change.${entry.action}`, { entity: t(`entities.${entry.entity}`) })}</Table.Td>
              <Table.Td>{entry.field === null ? '–' : t(`fields.${entry.field}`, { defaultValue: entry.field })}</Table.Td>
              <Table.Td style={{ maxWidth: 280, overflowWrap: 'anywhere' }}>{entry.oldValue ?? '–'}</Table.Td>
              <Table.Td style={{ maxWidth: 280, overflowWrap: 'anywhere' }}>{entry.newValue ?? '–'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group>
        <Pagination total={Math.ceil(data.total / PAGE_SIZE)} value={page} onChange={setPage}
          getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
      </Group>
    </Stack>
  );
}
