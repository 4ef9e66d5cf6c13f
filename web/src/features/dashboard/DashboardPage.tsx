/**
 * The portfolio dashboard: the latest analysis run seen whole, for the user's scope. A KAM sees their
 * own accounts; the director and the administrator choose the company, one KAM's portfolio or the
 * unassigned accounts (kept in the address, ?owner=), and see the KAMs side by side. Every figure is
 * aggregated by the server (GET /api/v1/dashboard); each count links to the accounts behind it.
 */
import { Anchor, Box, Group, List, Loader, Paper, Progress, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { KEY_CLIENT_TYPES } from '../../../../src/core/types.ts';
import { withQuery } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useDirectory } from '../accounts/api.ts';
import { useUser } from '../auth/session.tsx';
import { useDashboard, useKamPortfolios, type Dashboard, type GrowthEntry } from './api.ts';
import { AbcXyzMatrix, TransitionMatrix } from './Matrix.tsx';
import { ParetoChart } from './ParetoChart.tsx';

const COMPANY = 'company';

export function DashboardPage() {
  const { t } = useTranslation();
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const managesAll = user.role === 'director' || user.role === 'admin';
  const seesMoney = user.role !== 'marketing';
  // Only those who see every account choose a portfolio; a KAM's is always their own.
  const owner = managesAll ? params.get('owner') ?? undefined : undefined;
  const dashboard = useDashboard(owner);
  const kams = useKamPortfolios(managesAll);
  // Only the portfolio selector names people: a KAM's dashboard does without the directory.
  const directory = useDirectory(managesAll);
  // The accounts list names "no owner" as "none", the dashboard as "unassigned".
  const ownerFilter = owner === undefined ? undefined : owner === 'unassigned' ? 'none' : owner;

  const portfolios = [
    { value: COMPANY, label: t('dashboard.portfolio.company') },
    ...(directory.data ?? []).filter((person) => person.role === 'kam').map((person) => ({ value: person.id, label: person.name })),
    { value: 'unassigned', label: t('dashboard.portfolio.unassigned') },
  ];

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{t('nav.dashboard')}</Title>
        {managesAll && (
          <Select
            label={t('dashboard.portfolio.label')}
            data={portfolios}
            value={owner ?? COMPANY}
            onChange={(value) => setParams(value === null || value === COMPANY ? {} : { owner: value })}
            allowDeselect={false}
            searchable
            w={260}
          />
        )}
      </Group>
      <ErrorAlert error={dashboard.error ?? kams.error} />
      {dashboard.isPending && <Loader aria-label={t('app.loading')} />}
      {dashboard.data && dashboard.data.run === null && (
        <Paper withBorder p="md">
          <Text>{t('dashboard.empty')}</Text>
          {managesAll && (
            <Group mt="xs">
              <Anchor component={Link} to="/imports">{t('dashboard.emptyImport')}</Anchor>
              <Anchor component={Link} to="/analyses">{t('dashboard.emptyAnalyse')}</Anchor>
            </Group>
          )}
        </Paper>
      )}
      {dashboard.data && dashboard.data.run !== null && (
        <Portfolio data={dashboard.data} ownerFilter={ownerFilter} seesMoney={seesMoney} />
      )}
      {managesAll && kams.data && dashboard.data?.run && <KamsSideBySide items={kams.data} />}
    </Stack>
  );
}

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" mb="sm" id={id}>{title}</Title>
      {children}
    </Paper>
  );
}

function Portfolio({ data, ownerFilter, seesMoney }: { data: Dashboard; ownerFilter: string | undefined; seesMoney: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const run = data.run!;
  const accountsLink = (query: Record<string, string>) => withQuery('/accounts', { ...query, ownerId: ownerFilter });
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('dashboard.runLine', {
          id: run.id, from: format.date(run.window.from), asOf: format.date(run.window.asOf), created: format.dateTime(run.createdAt),
        })}
        {' '}
        {seesMoney
          ? t('dashboard.totals', { count: data.totals.clients, clients: format.number(data.totals.clients), revenue: format.money(data.totals.revenue), margin: format.money(data.totals.margin) })
          : t('dashboard.totalsClients', { count: data.totals.clients, clients: format.number(data.totals.clients) })}
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section title={t('dashboard.matrix.title')} id="dashboard-matrix">
          <AbcXyzMatrix data={data} ownerFilter={ownerFilter} seesMoney={seesMoney} />
        </Section>
        <Section title={t('dashboard.pareto.title')} id="dashboard-pareto">
          {data.pareto !== null && data.pareto.points.length > 0
            ? <ParetoChart pareto={data.pareto} metric={run.metric} />
            : <Text c="dimmed">{seesMoney ? t('dashboard.pareto.none') : t('dashboard.pareto.noMoney')}</Text>}
        </Section>
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Section title={t('dashboard.key.title')} id="dashboard-key">
          <KeyShare keyClients={data.keyClients} clients={data.totals.clients} seesMoney={seesMoney} />
        </Section>
        <Section title={t('dashboard.types.title')} id="dashboard-types">
          <List listStyleType="none" spacing={4}>
            {KEY_CLIENT_TYPES.map((type) => (
              <List.Item key={type}>
                <Anchor component={Link} to={accountsLink({ type })}>{t(`types.${type}`)}: {format.number(data.types[type])}</Anchor>
              </List.Item>
            ))}
          </List>
        </Section>
        <Section title={t('dashboard.activity.title')} id="dashboard-activity">
          <List listStyleType="none" spacing={4}>
            <List.Item>{t('activity.active')}: {format.number(data.activity.active)}</List.Item>
            {(['slipping', 'lost'] as const).map((activity) => (
              <List.Item key={activity}>
                <Anchor component={Link} to={accountsLink({ activity })}>{t(`activity.${activity}`)}: {format.number(data.activity[activity])}</Anchor>
              </List.Item>
            ))}
          </List>
        </Section>
      </SimpleGrid>

      <Section title={t('dashboard.transitions.title')} id="dashboard-transitions">
        {data.transitions === null ? <Text c="dimmed">{t('dashboard.transitions.none')}</Text> : (
          <Stack>
            <TransitionMatrix transitions={data.transitions} ownerFilter={ownerFilter} />
            <Box>
              <Title order={3} size="h5" mb="xs">{t('dashboard.movers.title')}</Title>
              {data.transitions.movers.length === 0 ? <Text c="dimmed">{t('dashboard.movers.none')}</Text> : (
                <List spacing={4} size="sm">
                  {data.transitions.movers.map((mover) => (
                    <List.Item key={mover.accountId}>
                      <Anchor component={Link} to={`/accounts/${mover.accountId}`}>{mover.accountName}</Anchor>
                      {': '}
                      {mover.from ?? t('dashboard.movers.new')} → {mover.to ?? t('dashboard.movers.gone')}
                      {seesMoney && mover.revenueChange !== null && mover.revenueChange !== undefined && (
                        <>, {t('dashboard.movers.change', { change: `${mover.revenueChange > 0 ? '+' : ''}${format.money(mover.revenueChange)}` })}</>
                      )}
                    </List.Item>
                  ))}
                </List>
              )}
            </Box>
          </Stack>
        )}
      </Section>

      {data.growth !== null && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Section title={t('dashboard.growth.leaders')} id="dashboard-leaders">
            <GrowthList entries={data.growth.leaders} />
          </Section>
          <Section title={t('dashboard.growth.decliners')} id="dashboard-decliners">
            <GrowthList entries={data.growth.decliners} />
          </Section>
        </SimpleGrid>
      )}
    </Stack>
  );
}

function KeyShare({ keyClients, clients, seesMoney }: { keyClients: Dashboard['keyClients']; clients: number; seesMoney: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [low, high] = keyClients.band;
  const share = keyClients.valueShare ?? null;
  const position = share === null ? null : share < low ? 'below' : share > high ? 'above' : 'within';
  return (
    <Stack gap="xs">
      <Text>{t('dashboard.key.count', { count: keyClients.count, formatted: format.number(keyClients.count), clients: format.number(clients) })}</Text>
      {seesMoney && share !== null && (
        <>
          <Text fw={700} size="xl">{format.percent(share)}</Text>
          <Box pos="relative">
            <Progress.Root size="xl">
              <Progress.Section value={Math.min(100, Math.max(0, share * 100))} color={position === 'within' ? 'teal.8' : 'orange.8'}
                aria-label={t('dashboard.key.bar')} />
            </Progress.Root>
            {/* The usual band, drawn over the bar as a dashed frame. */}
            <Box pos="absolute" top={-3} bottom={-3} left={`${low * 100}%`} w={`${(high - low) * 100}%`}
              style={{ border: '2px dashed var(--mantine-color-dark-6)', borderRadius: 4, pointerEvents: 'none' }} aria-hidden />
          </Box>
          <Text size="sm">{t(`dashboard.key.${position}`, { low: format.percent(low), high: format.percent(high) })}</Text>
        </>
      )}
      {seesMoney && share === null && <Text size="sm" c="dimmed">{t('dashboard.key.noShare')}</Text>}
    </Stack>
  );
}

function GrowthList({ entries }: { entries: GrowthEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (entries.length === 0) return <Text c="dimmed">{t('dashboard.growth.none')}</Text>;
  return (
    <List spacing={4} size="sm">
      {entries.map((entry) => (
        <List.Item key={entry.accountId}>
          <Anchor component={Link} to={`/accounts/${entry.accountId}`}>{entry.accountName}</Anchor>
          {': '}
          {t('dashboard.growth.entry', { growth: `${entry.growth > 0 ? '+' : ''}${format.percent(entry.growth)}`, revenue: format.money(entry.revenue) })}
        </List.Item>
      ))}
    </List>
  );
}

function KamsSideBySide({ items }: { items: NonNullable<ReturnType<typeof useKamPortfolios>['data']> }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Section title={t('dashboard.kams.title')} id="dashboard-kams">
      <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('dashboard.kams.title') }}>
        <Table striped miw={800} aria-labelledby="dashboard-kams">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.kams.name')}</Table.Th>
              {(['accounts', 'revenue', 'revenueShare', 'margin', 'keyClients', 'aClients', 'slipping', 'lost'] as const).map((column) => (
                <Table.Th key={column} ta="right">{t(`dashboard.kams.${column}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((row) => (
              <Table.Tr key={row.ownerId ?? 'unassigned'}>
                <Table.Td>
                  <Anchor component={Link} to={`/dashboard?owner=${row.ownerId ?? 'unassigned'}`}>{row.name ?? t('dashboard.portfolio.unassigned')}</Anchor>
                </Table.Td>
                <Table.Td ta="right">{format.number(row.accounts)}</Table.Td>
                <Table.Td ta="right">{format.money(row.revenue)}</Table.Td>
                <Table.Td ta="right">{format.percent(row.revenueShare)}</Table.Td>
                <Table.Td ta="right">{format.money(row.margin)}</Table.Td>
                <Table.Td ta="right">{format.number(row.keyClients)}</Table.Td>
                <Table.Td ta="right">{format.number(row.aClients)}</Table.Td>
                <Table.Td ta="right">{format.number(row.slipping)}</Table.Td>
                <Table.Td ta="right">{format.number(row.lost)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Section>
  );
}
