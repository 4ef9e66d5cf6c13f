/**
 * An account's dossier: a header with what the latest analysis says of it (segment, key-client types,
 * key-client score and its criteria, activity) beside its lifecycle status, owner and team; and the
 * tabs of what is known about the client, the active one kept in the address.
 */
import { Anchor, Badge, Button, Group, Loader, MultiSelect, Paper, Popover, Stack, Table, Tabs, Text, Title, UnstyledButton } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api/client.ts';
import type { Account } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { DecisionMapTab } from '../contacts/DecisionMapTab.tsx';
import { useAccount, useDirectory, useKeyScore } from './api.ts';
import { ActivityTab } from './ActivityTab.tsx';
import { ChangesTab } from './ChangesTab.tsx';
import { CompetitorsTab } from './CompetitorsTab.tsx';
import { FactsTab } from './FactsTab.tsx';
import { SalesTab } from './SalesTab.tsx';
import { TimelineTab } from './TimelineTab.tsx';
import { RefusalsTab } from './RefusalsTab.tsx';

const TABS = ['facts', 'sales', 'activity', 'relationship', 'decision-map', 'competitors', 'refusals', 'changes'] as const;
type Tab = (typeof TABS)[number];

export function AccountPage() {
  const { t } = useTranslation();
  const { accountId = '' } = useParams();
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const account = useAccount(accountId);
  // Marketing reads the account and its people only (docs/api.md): the other tabs are not theirs.
  const tabs = TABS.filter((tab) => user.role !== 'marketing' || tab === 'facts' || tab === 'decision-map');
  const requested = params.get('tab') as Tab | null;
  const tab: Tab = requested !== null && tabs.includes(requested) ? requested : 'facts';

  if (account.isPending) return <Loader aria-label={t('app.loading')} />;
  if (account.error) {
    return (
      <Stack>
        <Title order={1}>{account.error instanceof ApiError && account.error.status === 404 ? t('dossier.notFound') : t('errors.title')}</Title>
        <ErrorAlert error={account.error} />
        <Anchor component={Link} to="/accounts">{t('dossier.backToAccounts')}</Anchor>
      </Stack>
    );
  }
  const data = account.data;
  return (
    <Stack>
      <Anchor component={Link} to="/accounts" size="sm">← {t('dossier.backToAccounts')}</Anchor>
      <Header account={data} />
      <Tabs value={tab} onChange={(value) => setParams({ tab: value ?? 'facts' }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          {tabs.map((name) => <Tabs.Tab key={name} value={name}>{t(`dossier.tabs.${name}`)}</Tabs.Tab>)}
        </Tabs.List>
        <Tabs.Panel value="facts" pt="md"><FactsTab account={data} /></Tabs.Panel>
        <Tabs.Panel value="sales" pt="md"><SalesTab accountId={data.id} /></Tabs.Panel>
        <Tabs.Panel value="activity" pt="md"><ActivityTab accountId={data.id} /></Tabs.Panel>
        <Tabs.Panel value="relationship" pt="md"><TimelineTab accountId={data.id} /></Tabs.Panel>
        <Tabs.Panel value="decision-map" pt="md"><DecisionMapTab account={data} /></Tabs.Panel>
        <Tabs.Panel value="competitors" pt="md"><CompetitorsTab account={data} /></Tabs.Panel>
        <Tabs.Panel value="refusals" pt="md"><RefusalsTab accountId={data.id} /></Tabs.Panel>
        <Tabs.Panel value="changes" pt="md"><ChangesTab accountId={data.id} /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Header({ account }: { account: Account }) {
  const { t } = useTranslation();
  const format = useFormat();
  const directory = useDirectory();
  const keyScore = useKeyScore(account.id, account.analysis !== null);
  const names = new Map((directory.data ?? []).map((person) => [person.id, person.name]));
  const analysis = account.analysis;
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={1}>{account.name}</Title>
            {account.codes.length > 0 && <Text size="sm" c="dimmed">{t('dossier.codes', { codes: account.codes.join(', ') })}</Text>}
          </div>
          <Group gap="xs">
            <Badge color="gray" variant="light">{t('dossier.statusBadge', { status: t(`status.${account.status}`) })}</Badge>
            {analysis?.activity && (
              <Badge color={analysis.activity === 'active' ? 'green' : analysis.activity === 'slipping' ? 'yellow' : 'red'} variant="light">
                {t('dossier.activityBadge', { activity: t(`activity.${analysis.activity}`) })}
              </Badge>
            )}
          </Group>
        </Group>
        <Group gap="xl">
          <Field label={t('accounts.columns.segment')}>{analysis?.segment ?? '–'}</Field>
          <Field label={t('accounts.columns.types')}>
            {analysis && analysis.types.length > 0 ? analysis.types.map((type) => t(`types.${type}`)).join(', ') : '–'}
          </Field>
          <Field label={t('accounts.columns.key')}>{analysis?.isKey ? t('common.yes') : t('common.no')}</Field>
          <Field label={t('dossier.keyScore')}>
            {keyScore.data ? (
              <Popover width={420} position="bottom" withinPortal>
                <Popover.Target>
                  <UnstyledButton fw={600} td="underline">
                    {format.number(keyScore.data.score)} / 100
                    <span className="visually-hidden">{t('dossier.keyScoreBreakdown')}</span>
                  </UnstyledButton>
                </Popover.Target>
                <Popover.Dropdown>
                  <Table>
                    <Table.Caption>{t('dossier.keyScoreCaption', { coverage: format.percent(keyScore.data.coverage) })}</Table.Caption>
                    <Table.Thead>
                      <Table.Tr><Table.Th>{t('dossier.criterion')}</Table.Th><Table.Th>{t('dossier.criterionScore')}</Table.Th><Table.Th>{t('dossier.weight')}</Table.Th><Table.Th>{t('dossier.points')}</Table.Th></Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {keyScore.data.criteria.map((criterion) => (
                        <Table.Tr key={criterion.criterion}>
                          <Table.Td>{t(`criteria.${criterion.criterion}`)}</Table.Td>
                          <Table.Td>{criterion.score === null ? t('dossier.noData') : format.number(criterion.score, 2)}</Table.Td>
                          <Table.Td>{format.number(criterion.weight, 2)}</Table.Td>
                          <Table.Td>{format.number(criterion.contribution, 1)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Popover.Dropdown>
              </Popover>
            ) : '–'}
          </Field>
          {analysis?.revenue !== undefined && <Field label={t('accounts.columns.revenue')}>{format.money(analysis.revenue)}</Field>}
          <Field label={t('accounts.columns.lastPurchase')}>{format.date(analysis?.lastPurchase)}</Field>
          <Field label={t('accounts.columns.owner')}>{account.ownerName ?? t('accounts.noOwner')}</Field>
          <Field label={t('dossier.team')}>
            <Group gap="xs">
              <span>{account.teamIds.length === 0 ? '–' : account.teamIds.map((id) => names.get(id) ?? '…').join(', ')}</span>
              <TeamEditor account={account} />
            </Group>
          </Field>
        </Group>
      </Stack>
    </Paper>
  );
}

/**
 * The account team, set by a director, an administrator or the account's owner: KAMs and directors
 * besides the owner who read and write the account as the owner does.
 */
function TeamEditor({ account }: { account: Account }) {
  const { t } = useTranslation();
  const user = useUser();
  const directory = useDirectory();
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [team, setTeam] = useState<string[]>(account.teamIds);
  const save = useMutation({
    mutationFn: () => api<Account>(`/api/v1/accounts/${account.id}/team`, { method: 'PUT', body: { userIds: team, version: account.version } }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['account', account.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['account', account.id, 'history'] });
      setOpened(false);
    },
    onError: (error) => {
      // Someone changed the account meanwhile: read it again, so that the next save starts from it.
      if (error instanceof ApiError && error.status === 409) void queryClient.invalidateQueries({ queryKey: ['account', account.id] });
    },
  });
  if (!(user.role === 'director' || user.role === 'admin' || account.ownerId === user.id)) return null;
  const candidates = (directory.data ?? []).filter((person) => (person.role === 'kam' || person.role === 'director') && person.id !== account.ownerId);
  return (
    <Popover opened={opened} onChange={setOpened} width={340} position="bottom" withinPortal trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="subtle" onClick={() => { setTeam(account.teamIds); save.reset(); setOpened((open) => !open); }}>{t('dossier.editTeam')}</Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <ErrorAlert error={save.error} />
          <MultiSelect label={t('dossier.team')} searchable value={team} onChange={setTeam}
            data={candidates.map((person) => ({ value: person.id, label: person.name }))} comboboxProps={{ withinPortal: false }} />
          <Group>
            <Button size="xs" onClick={() => save.mutate()} loading={save.isPending}>{t('dossier.save')}</Button>
            <Button size="xs" variant="default" onClick={() => setOpened(false)}>{t('common.cancel')}</Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </div>
  );
}
