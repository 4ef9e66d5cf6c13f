/**
 * The accounts the user may see, as the server pages, filters, searches and sorts them: nothing is
 * loaded beyond the page on screen. The filters live in the address, so a filtered list can be
 * bookmarked, shared and reached again with the browser's Back button.
 */
import { Box, Button, Checkbox, Group, Loader, Pagination, Paper, Popover, ScrollArea, Select, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useDebouncedCallback, useLocalStorage } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS } from '../../../../src/core/types.ts';
import { api, withQuery } from '../../api/client.ts';
import { ACCOUNT_STATUSES } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { notifySuccess } from '../../app/notify.ts';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { useAccounts, useDirectory, type AccountListQuery } from './api.ts';
import { COLUMNS, DEFAULT_COLUMNS, type Column } from './columns.tsx';

const FILTERS = ['q', 'segment', 'previousSegment', 'type', 'activity', 'status', 'ownerId', 'key'] as const;
const PAGE_SIZES = ['25', '50', '100', '200'];

export function AccountsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const [visible, setVisible] = useLocalStorage<string[]>({ key: 'kamerton.accounts.columns', defaultValue: DEFAULT_COLUMNS });
  const [search, setSearch] = useState(params.get('q') ?? '');

  const query: AccountListQuery = { page: Number(params.get('page') ?? 1), pageSize: Number(params.get('pageSize') ?? 50) };
  for (const name of [...FILTERS, 'sort', 'order'] as const) {
    const value = params.get(name);
    if (value !== null && value !== '') (query as Record<string, string | number>)[name] = value;
  }
  const accounts = useAccounts(query);
  const directory = useDirectory();
  const queryClient = useQueryClient();
  const seesMoney = user.role !== 'marketing';
  const assignsOwners = user.role === 'director' || user.role === 'admin';
  const owners = (directory.data ?? []).filter((person) => person.role === 'kam' || person.role === 'director');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [newOwner, setNewOwner] = useState<string | null>(null);
  const assign = useMutation({
    mutationFn: (input: { accountIds: string[]; ownerId: string | null }) => api<{ updated: number }>('/api/v1/accounts/owner', { method: 'POST', body: input }),
    onSuccess: (result) => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['account'] });
      notifySuccess(t('accounts.bulk.done', { count: result.updated }), t('common.close'));
    },
  });
  const columns = COLUMNS.filter((column) => visible.includes(column.id) && (seesMoney || !column.money));

  /** Changes the address's query: a new filter or sort starts again at page 1. */
  function update(changes: Record<string, string | null>, keepPage = false) {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === '') next.delete(name);
        else next.set(name, value);
      }
      if (!keepPage) next.delete('page');
      return next;
    });
  }
  const searchLater = useDebouncedCallback((value: string) => update({ q: value.trim() }), 300);

  // The server sorts by name, ascending, unless told otherwise.
  const sortedBy = query.sort ?? 'name';
  const ascending = (query.order ?? 'asc') === 'asc';

  function toggleSort(column: Column) {
    if (column.sort === undefined) return;
    update({ sort: column.sort, order: column.sort === sortedBy && ascending ? 'desc' : 'asc' });
  }

  function ariaSort(column: Column): 'ascending' | 'descending' | 'none' | undefined {
    if (column.sort === undefined) return undefined;
    if (column.sort !== sortedBy) return 'none';
    return ascending ? 'ascending' : 'descending';
  }

  const filterSelect = (name: (typeof FILTERS)[number], label: string, options: { value: string; label: string }[]) => (
    <Select
      label={label}
      placeholder={t('accounts.filters.any')}
      data={options}
      value={params.get(name)}
      onChange={(value) => update({ [name]: value })}
      clearable
      w={170}
      comboboxProps={{ withinPortal: true }}
    />
  );

  const total = accounts.data?.total ?? 0;
  const { page: _page, pageSize: _pageSize, ...filters } = query;
  const pageIds = accounts.data?.items.map((account) => account.id) ?? [];
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const pages = Math.max(1, Math.ceil(total / (query.pageSize ?? 50)));

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{t('accounts.title')}</Title>
        <Group gap="xs">
        <Button component="a" variant="default" size="xs" href={withQuery('/api/v1/accounts/export', { ...filters, format: 'xlsx' })} download>{t('accounts.exportXlsx')}</Button>
        <Button component="a" variant="default" size="xs" href={withQuery('/api/v1/accounts/export', { ...filters, format: 'csv' })} download>{t('accounts.exportCsv')}</Button>
        <Popover position="bottom-end" withinPortal>
          <Popover.Target>
            <Button variant="default" size="xs">{t('accounts.chooseColumns')}</Button>
          </Popover.Target>
          <Popover.Dropdown>
            <Stack gap="xs" role="group" aria-label={t('accounts.chooseColumns')}>
              {COLUMNS.filter((column) => seesMoney || !column.money).map((column) => (
                <Checkbox
                  key={column.id}
                  label={t(column.label)}
                  checked={visible.includes(column.id)}
                  disabled={column.id === 'name'}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    setVisible((current) => (checked ? [...current, column.id] : current.filter((id) => id !== column.id)));
                  }}
                />
              ))}
            </Stack>
          </Popover.Dropdown>
        </Popover>
        </Group>
      </Group>

      <Group align="flex-end" gap="sm" role="search" aria-label={t('accounts.filters.label')}>
        <TextInput
          label={t('accounts.search')}
          placeholder={t('accounts.searchPlaceholder')}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            searchLater(event.currentTarget.value);
          }}
          w={240}
        />
        {filterSelect('segment', t('accounts.filters.segment'), SEGMENTS.map((segment) => ({ value: segment, label: segment })))}
        {filterSelect('previousSegment', t('accounts.filters.previousSegment'), SEGMENTS.map((segment) => ({ value: segment, label: segment })))}
        {filterSelect('type', t('accounts.filters.type'), KEY_CLIENT_TYPES.map((type) => ({ value: type, label: t(`types.${type}`) })))}
        {filterSelect('activity', t('accounts.filters.activity'), ACTIVITIES.map((activity) => ({ value: activity, label: t(`activity.${activity}`) })))}
        {filterSelect('status', t('accounts.filters.status'), ACCOUNT_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) })))}
        {filterSelect('key', t('accounts.filters.key'), [{ value: 'true', label: t('accounts.filters.keyOnly') }, { value: 'false', label: t('accounts.filters.notKey') }])}
        {filterSelect('ownerId', t('accounts.filters.owner'), [
          { value: user.id, label: t('accounts.filters.mine') },
          { value: 'none', label: t('accounts.noOwner') },
          ...(assignsOwners ? owners.filter((person) => person.id !== user.id).map((person) => ({ value: person.id, label: person.name })) : []),
        ])}
        {FILTERS.some((name) => params.get(name)) && (
          <Button variant="subtle" onClick={() => { setSearch(''); update(Object.fromEntries(FILTERS.map((name) => [name, null]))); }}>
            {t('accounts.filters.clear')}
          </Button>
        )}
      </Group>

      <ErrorAlert error={accounts.error ?? assign.error} />
      {assignsOwners && selected.size > 0 && (
        <Paper withBorder p="xs" role="region" aria-label={t('accounts.bulk.label')}>
          <Group align="flex-end">
            <Text size="sm">{t('accounts.bulk.selected', { count: selected.size })}</Text>
            <Select label={t('accounts.bulk.owner')} placeholder={t('accounts.noOwner')} clearable searchable w={240} value={newOwner}
              data={owners.map((person) => ({ value: person.id, label: person.name }))} onChange={setNewOwner} />
            <Button onClick={() => assign.mutate({ accountIds: [...selected], ownerId: newOwner })} loading={assign.isPending}>{t('accounts.bulk.assign')}</Button>
            <Button variant="subtle" onClick={() => setSelected(new Set())}>{t('accounts.bulk.clear')}</Button>
          </Group>
        </Paper>
      )}
      <Group gap="xs">
        <Text size="sm" aria-live="polite">{t('accounts.count', { count: total, formatted: format.number(total) })}</Text>
        {accounts.isFetching && <Loader size="xs" aria-label={t('app.loading')} />}
      </Group>

      <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('accounts.title') }}>
        <Table striped highlightOnHover stickyHeader aria-label={t('accounts.title')} miw={800}>
          <Table.Thead>
            <Table.Tr>
              {assignsOwners && (
                <Table.Th w={40}>
                  <Checkbox aria-label={t('accounts.bulk.selectPage')} checked={allOnPage} indeterminate={!allOnPage && pageIds.some((id) => selected.has(id))}
                    onChange={(event) => {
                      const checked = event.currentTarget.checked;
                      setSelected((current) => {
                        const next = new Set(current);
                        for (const id of pageIds) if (checked) next.add(id); else next.delete(id);
                        return next;
                      });
                    }} />
                </Table.Th>
              )}
              {columns.map((column) => (
                <Table.Th key={column.id} aria-sort={ariaSort(column)} style={column.numeric ? { textAlign: 'right' } : undefined}>
                  {column.sort === undefined ? t(column.label) : (
                    <UnstyledButton onClick={() => toggleSort(column)} fw={600} fz="sm">
                      {t(column.label)} {ariaSort(column) === 'ascending' ? '▲' : ariaSort(column) === 'descending' ? '▼' : ''}
                    </UnstyledButton>
                  )}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {accounts.data?.items.map((account) => (
              <Table.Tr key={account.id}>
                {assignsOwners && (
                  <Table.Td>
                    <Checkbox aria-label={t('accounts.bulk.selectOne', { name: account.name })} checked={selected.has(account.id)}
                      onChange={(event) => {
                        const checked = event.currentTarget.checked;
                        setSelected((current) => {
                          const next = new Set(current);
                          if (checked) next.add(account.id); else next.delete(account.id);
                          return next;
                        });
                      }} />
                  </Table.Td>
                )}
                {columns.map((column) => (
                  <Table.Td key={column.id} style={column.numeric ? { textAlign: 'right' } : undefined}>{column.render(account, t, format)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
            {accounts.data && accounts.data.items.length === 0 && (
              <Table.Tr><Table.Td colSpan={columns.length + (assignsOwners ? 1 : 0)}><Text c="dimmed">{t('accounts.empty')}</Text></Table.Td></Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </ScrollArea>

      <Group justify="space-between">
        <Pagination
          total={pages}
          value={Math.min(query.page ?? 1, pages)}
          onChange={(page) => update({ page: String(page) }, true)}
          getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })}
        />
        <Box>
          <Select
            label={t('accounts.pageSize')}
            data={PAGE_SIZES}
            value={String(query.pageSize ?? 50)}
            onChange={(value) => update({ pageSize: value })}
            w={110}
            allowDeselect={false}
          />
        </Box>
      </Group>
    </Stack>
  );
}
