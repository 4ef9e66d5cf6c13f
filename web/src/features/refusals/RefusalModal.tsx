/**
 * A refusal recorded or corrected: what was refused, why, which product line or department it
 * concerns, when, the value at stake, a note, and the tender and competitor it names if any.
 */
import { Autocomplete, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { REFUSAL_KINDS, REFUSAL_REASONS, type Refusal, type RefusalKind, type RefusalReason } from './api.ts';

type Draft = {
  kind: RefusalKind;
  reason: RefusalReason;
  direction: string;
  occurredOn: string;
  value: number | null;
  note: string;
  tenderId: string | null;
  competitorId: string | null;
};

/** Today in the browser's calendar, YYYY-MM-DD. */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function RefusalModal({ accountId, refusal, directions, onClose }: {
  accountId: string;
  refusal: Refusal | 'new';
  /** Suggested directions: the client's product groups and the directions used before. */
  directions: string[];
  onClose(): void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const tenders = useQuery({
    queryKey: ['account', accountId, 'tenders', 'all'],
    queryFn: ({ signal }) => api<Page<{ id: string; title: string; date: string }>>(`/api/v1/accounts/${accountId}/tenders`, { query: { pageSize: 200 }, signal }),
  });
  const competitors = useQuery({ queryKey: ['competitors'], queryFn: ({ signal }) => api<Page<{ id: string; name: string }>>('/api/v1/competitors', { query: { pageSize: 200 }, signal }) });
  const [draft, setDraft] = useState<Draft>(() => refusal === 'new'
    ? { kind: 'declined-offer', reason: 'price', direction: '', occurredOn: today(), value: null, note: '', tenderId: null, competitorId: null }
    : {
      kind: refusal.kind, reason: refusal.reason, direction: refusal.direction ?? '', occurredOn: refusal.occurredOn, value: refusal.value,
      note: refusal.note ?? '', tenderId: refusal.tenderId, competitorId: refusal.competitorId,
    });
  const save = useMutation({
    mutationFn: () => {
      const body = { ...draft, direction: draft.direction.trim() === '' ? null : draft.direction, note: draft.note.trim() === '' ? null : draft.note };
      return refusal === 'new'
        ? api(`/api/v1/accounts/${accountId}/refusals`, { method: 'POST', body })
        : api(`/api/v1/refusals/${refusal.id}`, { method: 'PATCH', body: { ...body, version: refusal.version } });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['account', accountId] });
      void queryClient.invalidateQueries({ queryKey: ['refusals'] });
      onClose();
    },
  });
  const set = <K extends keyof Draft>(field: K) => (value: Draft[K]) => setDraft((current) => ({ ...current, [field]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={refusal === 'new' ? t('refusals.add') : t('refusals.edit')} size="lg" closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert error={save.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label={t('refusals.kindLabel')} value={draft.kind} allowDeselect={false} required
              data={REFUSAL_KINDS.map((kind) => ({ value: kind, label: t(`refusals.kind.${kind}`) }))}
              onChange={(value) => value !== null && set('kind')(value as RefusalKind)} />
            <Select label={t('refusals.reasonLabel')} value={draft.reason} allowDeselect={false} required
              data={REFUSAL_REASONS.map((reason) => ({ value: reason, label: t(`refusals.reason.${reason}`) }))}
              onChange={(value) => value !== null && set('reason')(value as RefusalReason)} />
            <TextInput label={t('refusals.date')} type="date" required value={draft.occurredOn} onChange={(event) => set('occurredOn')(event.currentTarget.value)} />
            <NumberInput label={t('refusals.value')} min={0} thousandSeparator=" " value={draft.value ?? ''}
              onChange={(value) => set('value')(typeof value === 'number' ? value : null)} />
          </SimpleGrid>
          <Autocomplete label={t('refusals.direction')} description={t('refusals.directionHint')} value={draft.direction}
            data={[...new Set(directions)]} onChange={set('direction')} />
          <Textarea label={t('refusals.note')} autosize minRows={2} value={draft.note} onChange={(event) => set('note')(event.currentTarget.value)} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label={t('refusals.tender')} clearable searchable value={draft.tenderId}
              data={(tenders.data?.items ?? []).map((tender) => ({ value: tender.id, label: `${tender.title} (${tender.date})` }))}
              onChange={set('tenderId')} />
            <Select label={t('refusals.competitor')} clearable searchable value={draft.competitorId}
              data={(competitors.data?.items ?? []).map((competitor) => ({ value: competitor.id, label: competitor.name }))}
              onChange={set('competitorId')} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={save.isPending}>{t('dossier.save')}</Button>
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
