/**
 * Win-back: the saved lists of lost clients (each with its members and "Plan action" per account), the
 * board of actions by state and outcome, and the win-back rate by offer type and by segment. A KAM
 * sees their own accounts only, in every list; marketing has no access.
 */
import { Anchor, Badge, Button, Group, Loader, NavLink, Pagination, Paper, ScrollArea, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { useDirectory } from '../accounts/api.ts';
import { ActionModal, type ActionTarget } from './ActionModal.tsx';
import { useActions, useMembers, useRates, useWinBackChange, useWinBackLists, type Criteria, type WinBackList } from './api.ts';
import { Board } from './Board.tsx';
import { ListModal } from './ListModal.tsx';
import { RatesPanel } from './Rates.tsx';

const PAGE_SIZE = 10;
const ALL = 'all';

export function WinBackPage() {
  const { t } = useTranslation();
  const user = useUser();
  const managesAll = user.role === 'director' || user.role === 'admin';
  const directory = useDirectory(managesAll);
  const [params, setParams] = useSearchParams();
  const lists = useWinBackLists();
  const selectedId = params.get('list') ?? lists.data?.[0]?.id ?? null;
  const selected = lists.data?.find((list) => list.id === selectedId) ?? null;
  const ownerId = managesAll ? params.get('owner') ?? undefined : undefined;
  const actions = useActions(ownerId);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const rates = useRates(from || undefined, to || undefined);
  const [editing, setEditing] = useState<WinBackList | 'new' | null>(null);
  const [planning, setPlanning] = useState<ActionTarget | null>(null);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === ALL) next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };

  const owners = [
    { value: ALL, label: t('winBack.board.everyone') },
    ...(directory.data ?? []).filter((person) => person.role !== 'marketing').map((person) => ({ value: person.id, label: person.name })),
  ];

  return (
    <Stack>
      <Title order={1}>{t('nav.winBack')}</Title>
      <ErrorAlert error={lists.error ?? actions.error ?? rates.error} />

      <Paper withBorder p="sm" component="section" aria-labelledby="win-back-lists">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h3" id="win-back-lists">{t('winBack.lists')}</Title>
          <Button size="xs" onClick={() => setEditing('new')}>{t('winBack.list.add')}</Button>
        </Group>
        {lists.isPending && <Loader aria-label={t('app.loading')} />}
        {lists.data && lists.data.length === 0 && <Text c="dimmed">{t('winBack.list.none')}</Text>}
        {lists.data && lists.data.length > 0 && (
          <Group align="flex-start" wrap="nowrap" gap="md">
            <Stack gap={2} w={220} style={{ flexShrink: 0 }} component="nav" aria-label={t('winBack.lists')}>
              {lists.data.map((list) => (
                <NavLink key={list.id} component="button" type="button" label={list.name} description={t('winBack.list.members', { count: list.members })}
                  active={list.id === selectedId} aria-current={list.id === selectedId ? 'true' : undefined}
                  onClick={() => update({ list: list.id, page: undefined })} />
              ))}
            </Stack>
            {selected !== null && (
              <ListMembers key={selected.id} list={selected} page={Math.max(1, Number(params.get('page') ?? '1') || 1)}
                onPage={(page) => update({ page: String(page) })} onEdit={() => setEditing(selected)} onPlan={setPlanning} />
            )}
          </Group>
        )}
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="win-back-board">
        <Group justify="space-between" mb="xs" align="flex-end">
          <Title order={2} size="h3" id="win-back-board">{t('winBack.board.title')}</Title>
          {managesAll && (
            <Select label={t('winBack.board.owner')} data={owners} value={ownerId ?? ALL} allowDeselect={false} searchable w={240}
              onChange={(value) => update({ owner: value ?? undefined })} />
          )}
        </Group>
        {actions.isPending && <Loader aria-label={t('app.loading')} />}
        {actions.data && <Board actions={actions.data.items} />}
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="win-back-rates">
        <Group justify="space-between" mb="xs" align="flex-end">
          <Title order={2} size="h3" id="win-back-rates">{t('winBack.rates.title')}</Title>
          <Group>
            <TextInput type="date" label={t('winBack.rates.from')} value={from} onChange={(event) => setFrom(event.currentTarget.value)} />
            <TextInput type="date" label={t('winBack.rates.to')} value={to} onChange={(event) => setTo(event.currentTarget.value)} />
          </Group>
        </Group>
        {rates.isPending && <Loader aria-label={t('app.loading')} />}
        {rates.data && <RatesPanel rates={rates.data} />}
      </Paper>

      {editing !== null && <ListModal list={editing} managesAll={managesAll} onClose={() => setEditing(null)} />}
      {planning !== null && <ActionModal target={planning} onClose={() => setPlanning(null)} />}
    </Stack>
  );
}

/** The criteria in words, one badge each. */
function CriteriaBadges({ criteria }: { criteria: Criteria }) {
  const { t } = useTranslation();
  const badges: string[] = [
    t('winBack.criteria.activityIs', { activities: (criteria.activities ?? ['lost']).map((value) => t(`winBack.activity.${value}`)).join(', ') }),
  ];
  if (criteria.lostWithinMonths !== undefined) badges.push(t('winBack.criteria.lostWithin', { count: criteria.lostWithinMonths }));
  if (criteria.wasAbc !== undefined) badges.push(t('winBack.criteria.was', { classes: criteria.wasAbc.join(', ') }));
  if (criteria.minRefusals !== undefined) {
    badges.push(t('winBack.criteria.refusals', { count: criteria.minRefusals, months: criteria.refusalMonths ?? 12 }));
  }
  if (criteria.keyOnly === true) badges.push(t('winBack.criteria.keyOnly'));
  if (criteria.ownerId !== undefined) badges.push(t('winBack.criteria.oneOwner'));
  return <Group gap={4}>{badges.map((badge) => <Badge key={badge} variant="light" color="gray">{badge}</Badge>)}</Group>;
}

function ListMembers({ list, page, onPage, onEdit, onPlan }: {
  list: WinBackList; page: number; onPage(page: number): void; onEdit(): void; onPlan(target: ActionTarget): void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const members = useMembers(list.id, page, PAGE_SIZE);
  const remove = useWinBackChange(() => api(`/api/v1/win-back/lists/${list.id}`, { method: 'DELETE' }));
  return (
    <Stack style={{ flex: 1, minWidth: 0 }} gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h4" id="win-back-members">{list.name}</Title>
        {list.editable && (
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={onEdit}>{t('winBack.list.edit')}</Button>
            <Button size="xs" variant="default" loading={remove.isPending}
              onClick={() => { if (window.confirm(t('winBack.list.confirmDelete', { name: list.name }))) remove.mutate(undefined); }}>
              {t('winBack.list.delete')}
            </Button>
          </Group>
        )}
      </Group>
      <CriteriaBadges criteria={list.criteria} />
      <Text size="xs">
        {list.refreshedAt === null ? t('winBack.list.neverRefreshed') : t('winBack.list.refreshed', { date: format.dateTime(list.refreshedAt), run: list.refreshedRunId ?? '–' })}
      </Text>
      <ErrorAlert error={members.error ?? remove.error} />
      {members.isPending && <Loader aria-label={t('app.loading')} />}
      {members.data && (members.data.items.length === 0 ? <Text c="dimmed">{t('winBack.list.empty')}</Text> : (
        <>
          <ScrollArea type="auto" viewportProps={{ tabIndex: 0, 'aria-label': t('winBack.list.membersOf', { name: list.name }) }}>
            <Table striped fz="sm" verticalSpacing={4} aria-labelledby="win-back-members" miw={820}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('winBack.member.account')}</Table.Th>
                  <Table.Th>{t('winBack.member.owner')}</Table.Th>
                  <Table.Th>{t('winBack.member.status')}</Table.Th>
                  <Table.Th>{t('winBack.member.lostSince')}</Table.Th>
                  <Table.Th>{t('winBack.member.segment')}</Table.Th>
                  <Table.Th>{t('winBack.member.refusals')}</Table.Th>
                  <Table.Th>{t('winBack.member.revenue')}</Table.Th>
                  <Table.Th>{t('winBack.member.action')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.data.items.map((member) => (
                  <Table.Tr key={member.accountId} data-testid="win-back-member">
                    <Table.Td><Anchor component={Link} to={`/accounts/${member.accountId}`}>{member.name}</Anchor></Table.Td>
                    <Table.Td>{member.ownerName ?? t('winBack.member.noOwner')}</Table.Td>
                    <Table.Td>{t(`status.${member.status}`)}</Table.Td>
                    <Table.Td>{format.date(member.lostSince)}</Table.Td>
                    <Table.Td>{member.lastSegment ?? '–'}{member.wasAbc !== null ? ` (${t('winBack.member.was', { abc: member.wasAbc })})` : ''}</Table.Td>
                    <Table.Td>{format.number(member.refusals)}</Table.Td>
                    <Table.Td>{format.money(member.revenueBeforeLoss)}</Table.Td>
                    <Table.Td>
                      {member.openAction !== null ? (
                        <Text size="sm">
                          {t(`winBack.offer.${member.openAction.offerType}`)}
                          {member.openAction.discountPercent !== null ? ` ${format.number(member.openAction.discountPercent, 2)}%` : ''}
                          {', '}{t('winBack.card.due', { date: format.date(member.openAction.dueOn) })}
                        </Text>
                      ) : (
                        <Button size="compact-xs" variant="light"
                          onClick={() => onPlan({ accountId: member.accountId, accountName: member.name, listId: list.id, ownerId: member.ownerId })}>
                          {t('winBack.member.plan')}
                          <span className="visually-hidden">{`: ${member.name}`}</span>
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
          <Group justify="space-between">
            <Text size="sm">{t('winBack.list.members', { count: members.data.total })}</Text>
            <Pagination total={Math.max(1, Math.ceil(members.data.total / PAGE_SIZE))} value={page} onChange={onPage}
              getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
          </Group>
        </>
      ))}
    </Stack>
  );
}
