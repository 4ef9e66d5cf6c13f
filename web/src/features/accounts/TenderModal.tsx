/**
 * A tender or offer to the client, recorded or corrected: its date, value, outcome, why it was won,
 * lost or withdrawn, and the competitor who won it. The relationship's timeline shows them.
 */
import { Button, Group, Modal, NumberInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';

export const TENDER_OUTCOMES = ['pending', 'won', 'lost', 'withdrawn'] as const;

export type Tender = {
  id: string;
  title: string;
  date: string;
  value: number | null;
  outcome: (typeof TENDER_OUTCOMES)[number];
  reason: string | null;
  winningCompetitorId: string | null;
  version: number;
};

type Draft = Omit<Tender, 'id' | 'version'>;

const today = () => new Date().toISOString().slice(0, 10);

export function TenderModal({ accountId, tender, onClose }: { accountId: string; tender: Tender | 'new'; onClose(): void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const competitors = useQuery({ queryKey: ['competitors'], queryFn: ({ signal }) => api<Page<{ id: string; name: string }>>('/api/v1/competitors', { query: { pageSize: 200 }, signal }) });
  const [draft, setDraft] = useState<Draft>(() => tender === 'new'
    ? { title: '', date: today(), value: null, outcome: 'pending', reason: null, winningCompetitorId: null }
    : { title: tender.title, date: tender.date, value: tender.value, outcome: tender.outcome, reason: tender.reason, winningCompetitorId: tender.winningCompetitorId });
  const save = useMutation({
    mutationFn: () => {
      const body = { ...draft, reason: draft.reason === '' ? null : draft.reason };
      return tender === 'new'
        ? api(`/api/v1/accounts/${accountId}/tenders`, { method: 'POST', body })
        : api(`/api/v1/accounts/${accountId}/tenders/${tender.id}`, { method: 'PATCH', body: { ...body, version: tender.version } });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['account', accountId] });
      onClose();
    },
  });
  const set = <K extends keyof Draft>(field: K) => (value: Draft[K]) => setDraft((current) => ({ ...current, [field]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={tender === 'new' ? t('tenders.add') : t('tenders.edit')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert error={save.error} />
          <TextInput label={t('tenders.title')} required value={draft.title} onChange={(event) => set('title')(event.currentTarget.value)} />
          <TextInput label={t('tenders.date')} type="date" required value={draft.date} onChange={(event) => set('date')(event.currentTarget.value)} />
          <NumberInput label={t('tenders.value')} min={0} value={draft.value ?? ''} onChange={(value) => set('value')(typeof value === 'number' ? value : null)} />
          <Select label={t('tenders.outcome')} value={draft.outcome} allowDeselect={false}
            data={TENDER_OUTCOMES.map((outcome) => ({ value: outcome, label: t(`tenderOutcome.${outcome}`) }))}
            onChange={(value) => value !== null && set('outcome')(value as Draft['outcome'])} />
          <Textarea label={t('tenders.reason')} autosize minRows={2} value={draft.reason ?? ''} onChange={(event) => set('reason')(event.currentTarget.value)} />
          <Select label={t('tenders.winner')} clearable searchable value={draft.winningCompetitorId}
            data={(competitors.data?.items ?? []).map((competitor) => ({ value: competitor.id, label: competitor.name }))}
            onChange={set('winningCompetitorId')} />
          <Group>
            <Button type="submit" loading={save.isPending}>{t('dossier.save')}</Button>
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
