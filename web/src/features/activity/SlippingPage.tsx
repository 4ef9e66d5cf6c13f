/**
 * Slipping and lost: the latest analysis run's slipping or lost accounts in the user's scope, each
 * with the reasons the activity rules gave (what each rule saw, as a badge), the owner and key-only
 * filters, and links to the dossiers. The director and the administrator see and change the rules
 * here; a KAM reads them.
 */
import { Anchor, Badge, Button, Checkbox, Group, Loader, Pagination, Paper, ScrollArea, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useState } from 'react';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { useDirectory } from '../accounts/api.ts';
import { ACTIVITY_REASONS, useActivityAccounts, useActivityRules } from './api.ts';
import { ReasonBadge } from './ReasonBadge.tsx';
import { RulesModal, RulesSummary } from './RulesSection.tsx';

const PAGE_SIZE = 50;
const SORTS = ['days', 'pAlive', 'name', 'since'] as const;

export function SlippingPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const user = useUser();
  const manages = user.role === 'director' || user.role === 'admin';
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState(false);
  const activity = params.get('activity') === 'lost' ? 'lost' : 'slipping';
  const ownerId = params.get('ownerId') ?? undefined;
  const keyOnly = params.get('keyOnly') === 'true';
  const sort = SORTS.find((s) => s === params.get('sort')) ?? 'days';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const accounts = useActivityAccounts({ activity, ownerId, keyOnly, sort, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const rules = useActivityRules();
  const directory = useDirectory(manages);

  function update(changes: Record<string, string | null>) {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === '') next.delete(name);
        else next.set(name, value);
      }
      if (!('page' in changes)) next.delete('page');
      return next;
    }, { replace: true });
  }

  const data = accounts.data;
  const pages = Math.max(1, Math.ceil((data?.total ?? 0) / PAGE_SIZE));

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{t('slipping.title')}</Title>
        {manages && <Button variant="default" onClick={() => setEditing(true)}>{t('slipping.rules.change')}</Button>}
      </Group>
      <Text size="sm" c="dimmed">{t('slipping.intro')}</Text>

      {rules.data && <RulesSummary view={rules.data} showVersions={manages} />}
      {rules.error && <ErrorAlert error={rules.error} />}

      {data?.run === null ? (
        <Text>{t('slipping.noRun')}</Text>
      ) : (
        <>
          {data?.run && <Text size="sm">{t('slipping.run', { id: data.run.id, asOf: format.date(data.run.asOf) })}</Text>}
          <SegmentedControl
            value={activity}
            onChange={(value) => update({ activity: value })}
            aria-label={t('slipping.activityLabel')}
            data={[
              { value: 'slipping', label: `${t('activity.slipping')} (${format.number(data?.counts.slipping ?? null)})` },
              { value: 'lost', label: `${t('activity.lost')} (${format.number(data?.counts.lost ?? null)})` },
            ]}
            w="fit-content"
          />
          <Group align="flex-end" gap="sm" role="search" aria-label={t('slipping.filters')}>
            {manages && (
              <Select
                label={t('slipping.owner')}
                placeholder={t('slipping.anyOwner')}
                clearable
                searchable
                w={220}
                value={ownerId ?? null}
                onChange={(value) => update({ ownerId: value })}
                data={[{ value: 'none', label: t('slipping.noOwner') }, ...(directory.data ?? []).filter((u) => u.role === 'kam' || u.role === 'director').map((u) => ({ value: u.id, label: u.name }))]}
                comboboxProps={{ withinPortal: true }}
              />
            )}
            <Select
              label={t('slipping.sort')}
              w={220}
              value={sort}
              allowDeselect={false}
              onChange={(value) => update({ sort: value })}
              data={SORTS.map((s) => ({ value: s, label: t(`slipping.sorts.${s}`) }))}
              comboboxProps={{ withinPortal: true }}
            />
            <Checkbox label={t('slipping.keyOnly')} checked={keyOnly} onChange={(event) => update({ keyOnly: event.currentTarget.checked ? 'true' : null })} mb={8} />
          </Group>
          {data && data.total > 0 && (
            <Group gap="xs" aria-label={t('slipping.reasonCounts')} role="group">
              {ACTIVITY_REASONS.filter((reason) => data.counts.reasons[reason] > 0).map((reason) => (
                <Badge key={reason} variant="outline" color="gray" tt="none">
                  {t(`slipping.reasonNames.${reason}`)}: {format.number(data.counts.reasons[reason])}
                </Badge>
              ))}
            </Group>
          )}
          {accounts.error && <ErrorAlert error={accounts.error} />}
          {accounts.isPending ? <Loader aria-label={t('app.loading')} /> : data && (
            data.items.length === 0 ? <Text>{t(activity === 'lost' ? 'slipping.noneLost' : 'slipping.noneSlipping')}</Text> : (
              <Paper withBorder>
                <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('slipping.tableLabel') }}>
                  <Table striped aria-label={t('slipping.tableLabel')} miw={900}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('slipping.columns.account')}</Table.Th>
                        <Table.Th>{t('slipping.columns.owner')}</Table.Th>
                        <Table.Th>{t('slipping.columns.segment')}</Table.Th>
                        <Table.Th>{t('slipping.columns.days')}</Table.Th>
                        <Table.Th>{t('slipping.columns.pAlive')}</Table.Th>
                        <Table.Th>{t('slipping.columns.expected')}</Table.Th>
                        <Table.Th>{t('slipping.columns.reasons')}</Table.Th>
                        <Table.Th>{t('slipping.columns.since')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.items.map((item) => (
                        <Table.Tr key={item.accountId}>
                          <Table.Td>
                            <Anchor component={Link} to={`/accounts/${item.accountId}?tab=activity`}>{item.accountName}</Anchor>
                            {item.isKey && <Badge ml="xs" size="xs" variant="light">{t('slipping.key')}</Badge>}
                          </Table.Td>
                          <Table.Td>{item.ownerName ?? t('slipping.noOwner')}</Table.Td>
                          <Table.Td>{item.segment ?? '–'}</Table.Td>
                          <Table.Td>{format.number(item.daysSinceLastPurchase)}</Table.Td>
                          <Table.Td>{format.number(item.pAlive, 2)}</Table.Td>
                          <Table.Td>{format.number(item.expectedPurchases, 1)}</Table.Td>
                          <Table.Td>
                            <Group gap={4}>
                              {item.reasons.map((reason) => <ReasonBadge key={reason} reason={reason} figures={item} rules={data.rules} />)}
                            </Group>
                          </Table.Td>
                          <Table.Td>{format.date(item.since)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea>
              </Paper>
            )
          )}
          {pages > 1 && <Pagination total={pages} value={page} onChange={(value) => update({ page: String(value) })} getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />}
          {data?.run?.model && <Text size="xs" c="dimmed">{t(`slipping.expectedNote.${data.run.model.timeUnit}`, { count: data.run.model.horizon })}</Text>}
        </>
      )}
      {manages && rules.data && <RulesModal opened={editing} onClose={() => setEditing(false)} view={rules.data} />}
    </Stack>
  );
}
