/**
 * The portfolio's refusals: the count by month stacked by reason, the trend, the most frequent reasons
 * and directions, the accounts with the most refusals and their own trends, and the log of every
 * refusal in scope. A director or an administrator picks one KAM's portfolio; a KAM sees their own.
 */
import { Anchor, Badge, Group, Loader, Pagination, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { useDirectory } from '../accounts/api.ts';
import { REFUSAL_KINDS, REFUSAL_REASONS, usePortfolioRefusals, useRefusalStats, type RefusalKind, type RefusalReason } from './api.ts';
import { MonthlyChart, RankingPanel, StatsSummary, TrendText, useRankings } from './RefusalCharts.tsx';

const PAGE_SIZE = 25;
const ALL = 'all';
const TREND_COLOURS = { rising: 'red', falling: 'green', flat: 'gray' } as const;

export function RefusalsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const user = useUser();
  const managesAll = user.role === 'director' || user.role === 'admin';
  const directory = useDirectory(managesAll);
  const [params, setParams] = useSearchParams();
  const ownerId = managesAll ? params.get('owner') ?? undefined : undefined;
  const reason = (params.get('reason') ?? undefined) as RefusalReason | undefined;
  const kind = (params.get('kind') ?? undefined) as RefusalKind | undefined;
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const stats = useRefusalStats(ownerId === undefined ? {} : { ownerId });
  const log = usePortfolioRefusals({ ownerId, reason, kind, page, pageSize: PAGE_SIZE });
  const rankings = useRankings(stats.data);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === ALL) next.delete(key);
      else next.set(key, value);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  const owners = [
    { value: ALL, label: t('refusals.wholeCompany') },
    ...(directory.data ?? []).filter((person) => person.role === 'kam').map((person) => ({ value: person.id, label: person.name })),
    { value: 'unassigned', label: t('refusals.unassigned') },
  ];

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{t('nav.refusals')}</Title>
        {managesAll && (
          <Select label={t('refusals.portfolio')} data={owners} value={ownerId ?? ALL} allowDeselect={false} searchable w={260}
            onChange={(value) => update({ owner: value ?? undefined })} />
        )}
      </Group>
      <ErrorAlert error={stats.error ?? log.error} />
      {stats.isPending && <Loader aria-label={t('app.loading')} />}
      {stats.data && (
        <>
          <Stack gap={4}>
            <StatsSummary stats={stats.data} />
            <TrendText trend={stats.data.trend} />
          </Stack>
          <MonthlyChart stats={stats.data} id="portfolio-refusals-by-month" />
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <RankingPanel id="portfolio-refusals-reasons" title={t('refusals.topReasons')} rows={rankings.reasons} />
            <RankingPanel id="portfolio-refusals-directions" title={t('refusals.topDirections')} rows={rankings.directions} />
          </SimpleGrid>
          <Paper withBorder p="sm">
            <Title order={2} size="h4" mb="xs" id="refusals-accounts">{t('refusals.topAccounts')}</Title>
            {stats.data.accounts.length === 0 ? <Text c="dimmed">{t('refusals.none')}</Text> : (
              <Table aria-labelledby="refusals-accounts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('refusals.account')}</Table.Th><Table.Th>{t('refusals.owner')}</Table.Th><Table.Th>{t('refusals.count')}</Table.Th>
                    <Table.Th>{t('refusals.last')}</Table.Th><Table.Th>{t('refusals.trendLabel')}</Table.Th><Table.Th>{t('refusals.recentVsPrevious')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {stats.data.accounts.map((account) => (
                    <Table.Tr key={account.accountId}>
                      <Table.Td><Anchor component={Link} to={`/accounts/${account.accountId}?tab=refusals`}>{account.accountName}</Anchor></Table.Td>
                      <Table.Td>{account.ownerName ?? t('refusals.unassigned')}</Table.Td>
                      <Table.Td>{format.number(account.count)}</Table.Td>
                      <Table.Td>{format.date(account.lastOn)}</Table.Td>
                      <Table.Td><Badge color={TREND_COLOURS[account.trend.direction]} variant="light">{t(`refusals.trend.${account.trend.direction}`)}</Badge></Table.Td>
                      <Table.Td>{format.number(account.trend.recent)} / {format.number(account.trend.previous)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        </>
      )}
      <Paper withBorder p="sm">
        <Title order={2} size="h4" mb="xs" id="portfolio-refusals-log">{t('refusals.log')}</Title>
        <Group mb="sm">
          <Select label={t('refusals.reasonLabel')} w={200} value={reason ?? ALL} allowDeselect={false}
            data={[{ value: ALL, label: t('refusals.any') }, ...REFUSAL_REASONS.map((value) => ({ value, label: t(`refusals.reason.${value}`) }))]}
            onChange={(value) => update({ reason: value ?? undefined })} />
          <Select label={t('refusals.kindLabel')} w={220} value={kind ?? ALL} allowDeselect={false}
            data={[{ value: ALL, label: t('refusals.any') }, ...REFUSAL_KINDS.map((value) => ({ value, label: t(`refusals.kind.${value}`) }))]}
            onChange={(value) => update({ kind: value ?? undefined })} />
        </Group>
        {log.isPending && <Loader aria-label={t('app.loading')} />}
        {log.data && (log.data.items.length === 0 ? <Text c="dimmed">{t('refusals.empty')}</Text> : (
          <>
            <Table striped aria-labelledby="portfolio-refusals-log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('refusals.date')}</Table.Th><Table.Th>{t('refusals.account')}</Table.Th><Table.Th>{t('refusals.kindLabel')}</Table.Th>
                  <Table.Th>{t('refusals.reasonLabel')}</Table.Th><Table.Th>{t('refusals.direction')}</Table.Th><Table.Th>{t('refusals.value')}</Table.Th>
                  <Table.Th>{t('refusals.note')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {log.data.items.map((refusal) => (
                  <Table.Tr key={refusal.id}>
                    <Table.Td>{format.date(refusal.occurredOn)}</Table.Td>
                    <Table.Td><Anchor component={Link} to={`/accounts/${refusal.accountId}?tab=refusals`}>{refusal.accountName}</Anchor></Table.Td>
                    <Table.Td>{t(`refusals.kind.${refusal.kind}`)}</Table.Td>
                    <Table.Td>{t(`refusals.reason.${refusal.reason}`)}{refusal.competitorName !== null ? ` (${refusal.competitorName})` : ''}</Table.Td>
                    <Table.Td>{refusal.direction ?? '–'}</Table.Td>
                    <Table.Td>{format.money(refusal.value)}</Table.Td>
                    <Table.Td>{refusal.note ?? '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group justify="space-between" mt="sm">
              <Text size="sm">{t('refusals.logTotal', { count: log.data.total })}</Text>
              <Pagination total={Math.max(1, Math.ceil(log.data.total / PAGE_SIZE))} value={page} onChange={(value) => update({ page: String(value) })}
                getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
            </Group>
          </>
        ))}
      </Paper>
    </Stack>
  );
}
