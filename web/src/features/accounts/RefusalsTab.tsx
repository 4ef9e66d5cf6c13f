/**
 * The account's refusals: how many and which way they go (a sentence, the trend, the months stacked
 * by reason), the most frequent reasons and directions, and the log itself, recorded and corrected
 * in a modal. Not for marketing, who does not see the dossier's details.
 */
import { Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useAccountRefusals, useRefusalStats, type Refusal } from '../refusals/api.ts';
import { MonthlyChart, RankingPanel, StatsSummary, TrendText, useRankings } from '../refusals/RefusalCharts.tsx';
import { RefusalModal } from '../refusals/RefusalModal.tsx';
import type { AccountSales } from './SalesTab.tsx';

export function RefusalsTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const queryClient = useQueryClient();
  const refusals = useAccountRefusals(accountId);
  const stats = useRefusalStats({ accountId });
  const sales = useQuery({ queryKey: ['account', accountId, 'sales'], queryFn: ({ signal }) => api<AccountSales>(`/api/v1/accounts/${accountId}/sales`, { signal }) });
  const rankings = useRankings(stats.data);
  const [editing, setEditing] = useState<Refusal | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (refusal: Refusal) => api(`/api/v1/refusals/${refusal.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['account', accountId] });
      void queryClient.invalidateQueries({ queryKey: ['refusals'] });
    },
  });

  if (refusals.isPending || stats.isPending) return <Loader aria-label={t('app.loading')} />;
  if (refusals.error || stats.error) return <ErrorAlert error={refusals.error ?? stats.error} />;
  const directions = [
    ...(sales.data?.groups ?? []).flatMap((group) => (group.group === null ? [] : [group.group])),
    ...refusals.data.items.flatMap((refusal) => (refusal.direction === null ? [] : [refusal.direction])),
  ];
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <StatsSummary stats={stats.data} />
          <TrendText trend={stats.data.trend} />
        </Stack>
        <Button onClick={() => setEditing('new')}>{t('refusals.add')}</Button>
      </Group>
      <ErrorAlert error={remove.error} />
      <MonthlyChart stats={stats.data} id="refusals-by-month" />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <RankingPanel id="refusals-reasons" title={t('refusals.topReasons')} rows={rankings.reasons} />
        <RankingPanel id="refusals-directions" title={t('refusals.topDirections')} rows={rankings.directions} />
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Title order={2} size="h4" mb="xs" id="refusals-log">{t('refusals.log')}</Title>
        {refusals.data.items.length === 0 ? <Text c="dimmed">{t('refusals.empty')}</Text> : (
          <Table striped aria-labelledby="refusals-log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('refusals.date')}</Table.Th><Table.Th>{t('refusals.kindLabel')}</Table.Th><Table.Th>{t('refusals.reasonLabel')}</Table.Th>
                <Table.Th>{t('refusals.direction')}</Table.Th><Table.Th>{t('refusals.value')}</Table.Th><Table.Th>{t('refusals.note')}</Table.Th>
                <Table.Th><span className="visually-hidden">{t('common.actions')}</span></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {refusals.data.items.map((refusal) => {
                const name = `${t(`refusals.kind.${refusal.kind}`)} ${format.date(refusal.occurredOn)}`;
                return (
                  <Table.Tr key={refusal.id}>
                    <Table.Td>{format.date(refusal.occurredOn)}</Table.Td>
                    <Table.Td>{t(`refusals.kind.${refusal.kind}`)}</Table.Td>
                    <Table.Td>{t(`refusals.reason.${refusal.reason}`)}{refusal.competitorName !== null ? ` (${refusal.competitorName})` : ''}</Table.Td>
                    <Table.Td>{refusal.direction ?? '–'}</Table.Td>
                    <Table.Td>{format.money(refusal.value)}</Table.Td>
                    <Table.Td>{refusal.note ?? '–'}{refusal.tenderTitle !== null && <Text size="xs" c="dimmed">{t('refusals.tenderNamed', { title: refusal.tenderTitle })}</Text>}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="subtle" onClick={() => setEditing(refusal)}>
                          {t('common.edit')}<span className="visually-hidden">: {name}</span>
                        </Button>
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => remove.mutate(refusal)}>
                          {t('common.remove')}<span className="visually-hidden">: {name}</span>
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {editing !== null && <RefusalModal accountId={accountId} refusal={editing} directions={directions} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
