/**
 * The competitors working on the account: their estimated share of the client's spending, their
 * strengths and weaknesses as the KAM sees them; added from the company's list of competitors.
 */
import { Button, Group, Loader, Modal, NumberInput, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Account, Page } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';

type Entry = {
  id: string;
  competitorId: string;
  competitorName: string;
  shareOfWallet: number | null;
  strengths: string | null;
  weaknesses: string | null;
  notes: string | null;
  version: number;
};

type Draft = { competitorId: string | null; shareOfWallet: number | null; strengths: string; weaknesses: string; notes: string };

const EMPTY: Draft = { competitorId: null, shareOfWallet: null, strengths: '', weaknesses: '', notes: '' };

export function CompetitorsTab({ account }: { account: Account }) {
  const { t } = useTranslation();
  const format = useFormat();
  const queryClient = useQueryClient();
  const key = ['account', account.id, 'competitors'];
  const entries = useQuery({ queryKey: key, queryFn: ({ signal }) => api<Page<Entry>>(`/api/v1/accounts/${account.id}/competitors`, { query: { pageSize: 200 }, signal }) });
  const competitors = useQuery({ queryKey: ['competitors'], queryFn: ({ signal }) => api<Page<{ id: string; name: string }>>('/api/v1/competitors', { query: { pageSize: 200 }, signal }) });
  const [editing, setEditing] = useState<Entry | 'new' | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: ['account', account.id, 'history'] });
  };
  const save = useMutation({
    mutationFn: async () => {
      const body = { shareOfWallet: draft.shareOfWallet, strengths: draft.strengths || null, weaknesses: draft.weaknesses || null, notes: draft.notes || null };
      if (editing === 'new') return api(`/api/v1/accounts/${account.id}/competitors`, { method: 'POST', body: { ...body, competitorId: draft.competitorId } });
      return api(`/api/v1/accounts/${account.id}/competitors/${(editing as Entry).id}`, { method: 'PATCH', body: { ...body, version: (editing as Entry).version } });
    },
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (entry: Entry) => api(`/api/v1/accounts/${account.id}/competitors/${entry.id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });

  function open(entry: Entry | 'new') {
    save.reset();
    setDraft(entry === 'new' ? EMPTY : { competitorId: entry.competitorId, shareOfWallet: entry.shareOfWallet, strengths: entry.strengths ?? '', weaknesses: entry.weaknesses ?? '', notes: entry.notes ?? '' });
    setEditing(entry);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  if (entries.isPending) return <Loader aria-label={t('app.loading')} />;
  if (entries.error) return <ErrorAlert error={entries.error} />;
  const taken = new Set(entries.data.items.map((entry) => entry.competitorId));
  return (
    <Stack>
      <ErrorAlert error={remove.error} />
      {entries.data.items.length === 0 ? <Text c="dimmed">{t('competitors.empty')}</Text> : (
        <Table striped aria-label={t('dossier.tabs.competitors')}>
          <Table.Thead>
            <Table.Tr><Table.Th>{t('competitors.competitor')}</Table.Th><Table.Th>{t('competitors.share')}</Table.Th><Table.Th>{t('competitors.strengths')}</Table.Th><Table.Th>{t('competitors.weaknesses')}</Table.Th><Table.Th>{t('competitors.notes')}</Table.Th><Table.Th><span className="visually-hidden">{t('common.actions')}</span></Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.data.items.map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td>{entry.competitorName}</Table.Td>
                <Table.Td>{entry.shareOfWallet === null ? '–' : `${format.number(entry.shareOfWallet, 1)} %`}</Table.Td>
                <Table.Td>{entry.strengths ?? '–'}</Table.Td>
                <Table.Td>{entry.weaknesses ?? '–'}</Table.Td>
                <Table.Td>{entry.notes ?? '–'}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => open(entry)} aria-label={t('competitors.editNamed', { name: entry.competitorName })}>{t('common.edit')}</Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => remove.mutate(entry)} aria-label={t('competitors.removeNamed', { name: entry.competitorName })}>{t('common.remove')}</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Button w="fit-content" onClick={() => open('new')}>{t('competitors.add')}</Button>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? t('competitors.add') : t('competitors.edit')}
        closeButtonProps={{ 'aria-label': t('common.close') }}>
        <form onSubmit={submit}>
          <Stack>
            <ErrorAlert error={save.error} />
            <Select label={t('competitors.competitor')} required searchable disabled={editing !== 'new'} value={draft.competitorId}
              data={(competitors.data?.items ?? []).filter((competitor) => editing !== 'new' || !taken.has(competitor.id)).map((competitor) => ({ value: competitor.id, label: competitor.name }))}
              onChange={(value) => setDraft({ ...draft, competitorId: value })} />
            <NumberInput label={t('competitors.share')} min={0} max={100} suffix=" %" value={draft.shareOfWallet ?? ''}
              onChange={(value) => setDraft({ ...draft, shareOfWallet: typeof value === 'number' ? value : null })} />
            <Textarea label={t('competitors.strengths')} autosize minRows={2} value={draft.strengths} onChange={(e) => setDraft({ ...draft, strengths: e.currentTarget.value })} />
            <Textarea label={t('competitors.weaknesses')} autosize minRows={2} value={draft.weaknesses} onChange={(e) => setDraft({ ...draft, weaknesses: e.currentTarget.value })} />
            <Textarea label={t('competitors.notes')} autosize minRows={2} value={draft.notes} onChange={(e) => setDraft({ ...draft, notes: e.currentTarget.value })} />
            <Group><Button type="submit" loading={save.isPending}>{t('dossier.save')}</Button><Button variant="default" onClick={() => setEditing(null)}>{t('common.cancel')}</Button></Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
