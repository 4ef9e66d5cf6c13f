/**
 * The decision-making map: the client's people as a graph by reports-to, coloured by their attitude
 * to us, sized by their influence on the purchase, marked by their buying role and drawn with a
 * border as strong as our relationship with them. People are added, edited and linked to a manager
 * on the graph itself (a click selects a person; the panel beside it acts on them), and the same
 * people are listed as a table, which keyboard and screen-reader users work with.
 */
import { Badge, Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Account, Page } from '../../api/types.ts';
import { Chart, type ChartEvents, type ChartOption } from '../../app/Chart.tsx';
import { ErrorAlert } from '../../app/errors.tsx';
import { useUser } from '../auth/session.tsx';
import { ContactPanel } from './ContactPanel.tsx';
import { layoutForest, ROW_HEIGHT } from './layout.ts';

export const BUYING_ROLES = ['decision-maker', 'economic-buyer', 'technical-buyer', 'influencer', 'champion', 'user', 'gatekeeper', 'blocker', 'other'] as const;
export const ATTITUDES = ['mentor', 'supporter', 'neutral', 'non-supporter', 'opponent'] as const;
export const RELATIONSHIPS = ['none', 'brief', 'multiple', 'in-depth'] as const;

export type Contact = {
  id: string;
  accountId: string;
  name: string;
  position: string | null;
  department: string | null;
  email: string | null;
  phone: string | null;
  buyingRole: (typeof BUYING_ROLES)[number];
  influence: number | null;
  attitude: (typeof ATTITUDES)[number];
  relationship: (typeof RELATIONSHIPS)[number];
  reportsToId: string | null;
  leftCompany: boolean;
  erasedAt: string | null;
  version: number;
};

/** Attitude colours, from friend to foe; they are also named in the legend and the table. */
export const ATTITUDE_COLORS: Record<Contact['attitude'], string> = {
  mentor: '#1b7f3b',
  supporter: '#5cb85c',
  neutral: '#8a8f98',
  'non-supporter': '#f0a020',
  opponent: '#d9342b',
};
const BORDER: Record<Contact['relationship'], number> = { none: 0, brief: 1, multiple: 3, 'in-depth': 6 };

export type PanelState = { mode: 'view'; id: string } | { mode: 'new'; reportsToId: string | null } | null;

export function DecisionMapTab({ account }: { account: Account }) {
  const { t } = useTranslation();
  const user = useUser();
  const canWrite = user.role !== 'marketing';
  const contacts = useQuery({
    queryKey: ['account', account.id, 'contacts'],
    queryFn: ({ signal }) => api<Page<Contact>>(`/api/v1/accounts/${account.id}/contacts`, { query: { pageSize: 200 }, signal }),
  });
  const [panel, setPanel] = useState<PanelState>(null);
  const people = useMemo(() => contacts.data?.items ?? [], [contacts.data]);
  const selected = panel?.mode === 'view' ? panel.id : null;
  const positions = useMemo(() => layoutForest(people), [people]);
  // A row of the layout and its labels for each level of reports, and never less than a comfortable canvas.
  const height = Math.max(360, (ROW_HEIGHT + 10) * (1 + Math.max(0, ...[...positions.values()].map((position) => position.depth))));

  const option = useMemo<ChartOption>(() => {
    return {
      aria: { enabled: true },
      tooltip: { formatter: (params: { dataType?: string; data?: { tip?: string } }) => params.data?.tip ?? '' },
      series: [{
        type: 'graph',
        layout: 'none',
        roam: true,
        label: { show: true, position: 'bottom', formatter: '{b}', fontSize: 12, lineHeight: 15 },
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        lineStyle: { color: '#9aa0a6', width: 1.5 },
        data: people.map((person) => {
          const position = positions.get(person.id)!;
          return {
            id: person.id,
            name: person.name,
            x: position.x,
            y: position.y,
            symbolSize: 22 + (person.influence ?? 1) * 9,
            itemStyle: {
              color: ATTITUDE_COLORS[person.attitude],
              borderColor: person.id === selected ? '#1c7ed6' : '#1f2933',
              borderWidth: person.id === selected ? 6 : BORDER[person.relationship],
              opacity: person.leftCompany ? 0.35 : 1,
            },
            label: { formatter: `${person.name}\n${t(`buyingRoles.${person.buyingRole}`)}` },
            tip: [person.name, person.position, t(`buyingRoles.${person.buyingRole}`), t(`attitudes.${person.attitude}`),
              person.influence === null ? null : t('map.influenceValue', { value: person.influence }), t(`relationships.${person.relationship}`)]
              .filter(Boolean).join('<br/>'),
          };
        }),
        links: people.filter((person) => person.reportsToId !== null && people.some((other) => other.id === person.reportsToId))
          .map((person) => ({ source: person.reportsToId!, target: person.id })),
      }],
    };
  }, [people, positions, selected, t]);

  const events = useMemo<ChartEvents>(() => ({
    click: (params) => {
      if (params.dataType === 'node') setPanel({ mode: 'view', id: (params.data as { id: string }).id });
    },
  }), []);

  if (contacts.isPending) return <Loader aria-label={t('app.loading')} />;
  if (contacts.error) return <ErrorAlert error={contacts.error} />;
  const names = new Map(people.map((person) => [person.id, person.name]));

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">{t('map.intro')}</Text>
        {canWrite && <Button onClick={() => setPanel({ mode: 'new', reportsToId: null })}>{t('map.addPerson')}</Button>}
      </Group>
      <SimpleGrid cols={{ base: 1, lg: panel === null ? 1 : 2 }}>
        <Paper withBorder p="xs">
          {people.length === 0 ? <Text c="dimmed" p="md">{t('map.empty')}</Text> : (
            <Chart option={option} events={events} label={t('map.chartLabel', { count: people.length, name: account.name })} height={height} />
          )}
          <Group gap="md" mt="xs" aria-label={t('map.legend')}>
            {(Object.keys(ATTITUDE_COLORS) as Contact['attitude'][]).map((attitude) => (
              <Group gap={4} key={attitude}>
                <span aria-hidden style={{ display: 'inline-block', width: 12, height: 12, borderRadius: 6, background: ATTITUDE_COLORS[attitude] }} />
                <Text size="xs">{t(`attitudes.${attitude}`)}</Text>
              </Group>
            ))}
            <Text size="xs" c="dimmed">{t('map.legendSize')}</Text>
          </Group>
        </Paper>
        {panel !== null && (
          <ContactPanel key={panel.mode === 'view' ? panel.id : `new-${panel.reportsToId}`} account={account} people={people} panel={panel}
            canWrite={canWrite} onClose={() => setPanel(null)} onSelect={(id) => setPanel({ mode: 'view', id })}
            onAddReport={(managerId) => setPanel({ mode: 'new', reportsToId: managerId })} />
        )}
      </SimpleGrid>
      <Title order={2} size="h4" id="people-table">{t('map.people')}</Title>
      <Table striped aria-labelledby="people-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('contactFields.name')}</Table.Th><Table.Th>{t('contactFields.position')}</Table.Th><Table.Th>{t('contactFields.buyingRole')}</Table.Th>
            <Table.Th>{t('contactFields.attitude')}</Table.Th><Table.Th>{t('contactFields.influence')}</Table.Th><Table.Th>{t('contactFields.relationship')}</Table.Th>
            <Table.Th>{t('contactFields.reportsToId')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {people.map((person) => (
            <Table.Tr key={person.id} aria-selected={person.id === selected}>
              <Table.Td>
                <Button variant="subtle" size="compact-sm" onClick={() => setPanel({ mode: 'view', id: person.id })}>{person.name}</Button>
                {person.leftCompany && <Badge size="xs" color="gray" ml={4}>{t('map.left')}</Badge>}
              </Table.Td>
              <Table.Td>{person.position ?? '–'}</Table.Td>
              <Table.Td>{t(`buyingRoles.${person.buyingRole}`)}</Table.Td>
              <Table.Td>{t(`attitudes.${person.attitude}`)}</Table.Td>
              <Table.Td>{person.influence ?? '–'}</Table.Td>
              <Table.Td>{t(`relationships.${person.relationship}`)}</Table.Td>
              <Table.Td>{person.reportsToId === null ? '–' : names.get(person.reportsToId) ?? '–'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
