/**
 * A win-back list saved or changed: its name and criteria. Saving recomputes its members from the
 * latest analysis run; every later run recomputes them again.
 */
import { Button, Checkbox, Group, Modal, NumberInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useDirectory } from '../accounts/api.ts';
import { ABC, ACTIVITIES, useWinBackChange, type Criteria, type WinBackList } from './api.ts';

type Draft = {
  name: string;
  lostWithinMonths: number | '';
  activities: string[];
  wasAbc: string[];
  minRefusals: number | '';
  refusalMonths: number | '';
  keyOnly: boolean;
  ownerId: string | null;
};

function draftOf(list: WinBackList | 'new'): Draft {
  const c: Criteria = list === 'new' ? { lostWithinMonths: 12, wasAbc: ['A', 'B'] } : list.criteria;
  return {
    name: list === 'new' ? '' : list.name,
    lostWithinMonths: c.lostWithinMonths ?? '',
    activities: c.activities ?? ['lost'],
    wasAbc: c.wasAbc ?? [],
    minRefusals: c.minRefusals ?? '',
    refusalMonths: c.refusalMonths ?? '',
    keyOnly: c.keyOnly ?? false,
    ownerId: c.ownerId ?? null,
  };
}

/** The criteria the draft says: a blank field is no criterion. */
function criteriaOf(draft: Draft): Criteria {
  const criteria: Criteria = {};
  if (draft.lostWithinMonths !== '') criteria.lostWithinMonths = draft.lostWithinMonths;
  if (!(draft.activities.length === 1 && draft.activities[0] === 'lost') && draft.activities.length > 0) criteria.activities = draft.activities as Criteria['activities'];
  if (draft.wasAbc.length > 0) criteria.wasAbc = draft.wasAbc as Criteria['wasAbc'];
  if (draft.minRefusals !== '') {
    criteria.minRefusals = draft.minRefusals;
    if (draft.refusalMonths !== '') criteria.refusalMonths = draft.refusalMonths;
  }
  if (draft.keyOnly) criteria.keyOnly = true;
  if (draft.ownerId !== null) criteria.ownerId = draft.ownerId;
  return criteria;
}

const whole = (value: string | number): number | '' => (typeof value === 'number' ? Math.trunc(value) : value === '' ? '' : Math.trunc(Number(value)) || '');

export function ListModal({ list, managesAll, onClose }: { list: WinBackList | 'new'; managesAll: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const directory = useDirectory(managesAll);
  const [draft, setDraft] = useState<Draft>(() => draftOf(list));
  const set = <K extends keyof Draft>(field: K) => (value: Draft[K]) => setDraft((current) => ({ ...current, [field]: value }));
  const save = useWinBackChange(() => {
    const body = { name: draft.name, criteria: criteriaOf(draft) };
    return list === 'new'
      ? api('/api/v1/win-back/lists', { method: 'POST', body })
      : api(`/api/v1/win-back/lists/${list.id}`, { method: 'PATCH', body: { ...body, version: list.version } });
  }, onClose);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(undefined);
  }

  const owners = (directory.data ?? []).filter((person) => person.role === 'kam' || person.role === 'director')
    .map((person) => ({ value: person.id, label: person.name }));

  return (
    <Modal opened onClose={onClose} title={list === 'new' ? t('winBack.list.add') : t('winBack.list.edit')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert error={save.error} />
          <TextInput label={t('winBack.list.name')} required maxLength={200} value={draft.name} onChange={(event) => set('name')(event.currentTarget.value)} />
          <Checkbox.Group label={t('winBack.criteria.activities')} value={draft.activities} onChange={set('activities')}>
            <Group mt={4}>
              {ACTIVITIES.map((value) => <Checkbox key={value} value={value} label={t(`winBack.activity.${value}`)} />)}
            </Group>
          </Checkbox.Group>
          <NumberInput label={t('winBack.criteria.lostWithinMonths')} description={t('winBack.criteria.lostWithinMonthsHelp')} min={1} max={240}
            allowDecimal={false} value={draft.lostWithinMonths} onChange={(value) => set('lostWithinMonths')(whole(value))} />
          <Checkbox.Group label={t('winBack.criteria.wasAbc')} description={t('winBack.criteria.wasAbcHelp')} value={draft.wasAbc} onChange={set('wasAbc')}>
            <Group mt={4}>
              {ABC.map((value) => <Checkbox key={value} value={value} label={value} />)}
            </Group>
          </Checkbox.Group>
          <Group grow align="flex-start">
            <NumberInput label={t('winBack.criteria.minRefusals')} min={1} max={10000} allowDecimal={false}
              value={draft.minRefusals} onChange={(value) => set('minRefusals')(whole(value))} />
            <NumberInput label={t('winBack.criteria.refusalMonths')} placeholder="12" min={1} max={240} allowDecimal={false}
              disabled={draft.minRefusals === ''} value={draft.refusalMonths} onChange={(value) => set('refusalMonths')(whole(value))} />
          </Group>
          <Switch label={t('winBack.criteria.keyOnly')} checked={draft.keyOnly} onChange={(event) => set('keyOnly')(event.currentTarget.checked)} />
          {managesAll && (
            <Select label={t('winBack.criteria.owner')} placeholder={t('winBack.criteria.anyOwner')} clearable searchable data={owners}
              value={draft.ownerId} onChange={set('ownerId')} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={save.isPending}>{t('winBack.save')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
