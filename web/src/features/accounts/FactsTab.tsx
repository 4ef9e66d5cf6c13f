/**
 * The company facts, editable by those who may write the account. A save sends only the fields the
 * user changed, with the version they were read at; when someone saved in the meantime (409), the
 * user sees what that person changed and may apply their own changes on top of it, or drop them.
 */
import { Alert, Button, Checkbox, Group, NumberInput, Select, SimpleGrid, Stack, Table, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { ACCOUNT_STATUSES, type Account } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { notifySuccess } from '../../app/notify.ts';
import { useUser } from '../auth/session.tsx';
import { useDirectory } from './api.ts';

/** The fields this tab edits, as PATCH /api/v1/accounts/:id takes them. */
export const EDITABLE = [
  'name', 'codes', 'taxId', 'status', 'industry', 'region', 'website', 'employees', 'ownerId', 'description', 'history',
  'orgStructure', 'environment', 'longTermPlans', 'cooperationHorizonMonths', 'reputationInfluence', 'imageMaker',
  'imageMakerReason', 'expert', 'expertReason', 'annualPotential', 'paymentDaysLate', 'privateNotes',
] as const;
type Field = (typeof EDITABLE)[number];
type Values = Partial<Record<Field, unknown>>;

function valuesOf(account: Account): Values {
  return Object.fromEntries(EDITABLE.filter((field) => field in account).map((field) => [field, account[field as keyof Account] ?? null]));
}

/** The fields whose values differ, compared as JSON (codes are arrays). */
export function changedFields(before: Values, after: Values): Field[] {
  return EDITABLE.filter((field) => field in after && JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null));
}

export function FactsTab({ account }: { account: Account }) {
  const { t } = useTranslation();
  const user = useUser();
  const queryClient = useQueryClient();
  const directory = useDirectory();
  const [base, setBase] = useState<Account>(account);
  const [values, setValues] = useState<Values>(() => valuesOf(account));
  const [conflict, setConflict] = useState<Account | null>(null);
  const canWrite = user.role !== 'marketing';
  const assignsOwners = user.role === 'director' || user.role === 'admin';
  const mine = changedFields(valuesOf(base), values);

  const save = useMutation({
    mutationFn: (input: { version: number; changes: Values }) =>
      api<Account>(`/api/v1/accounts/${account.id}`, { method: 'PATCH', body: { ...input.changes, version: input.version } }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['account', account.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['account', account.id, 'history'] });
      setBase(saved);
      setValues(valuesOf(saved));
      setConflict(null);
      notifySuccess(t('dossier.saved'), t('common.close'));
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409 && typeof error.details.current === 'object' && error.details.current !== null) {
        setConflict(error.details.current as Account);
      }
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (mine.length === 0) return;
    save.mutate({ version: base.version, changes: Object.fromEntries(mine.map((field) => [field, values[field]])) });
  }

  function reapply() {
    if (conflict === null) return;
    save.mutate({ version: conflict.version, changes: Object.fromEntries(mine.map((field) => [field, values[field]])) });
  }

  function discard() {
    if (conflict === null) return;
    queryClient.setQueryData(['account', account.id], conflict);
    setBase(conflict);
    setValues(valuesOf(conflict));
    setConflict(null);
    save.reset();
  }

  const set = (field: Field) => (value: unknown) => setValues((current) => ({ ...current, [field]: value === '' ? null : value }));
  const text = (field: Field, label: string, long = false) => {
    const props = { label: t(label), value: (values[field] as string | null) ?? '', readOnly: !canWrite, onChange: (event: { currentTarget: { value: string } }) => set(field)(event.currentTarget.value) };
    return long ? <Textarea key={field} autosize minRows={2} maxRows={8} {...props} /> : <TextInput key={field} {...props} />;
  };
  const number = (field: Field, label: string, limits: { min?: number; max?: number } = {}) => (
    <NumberInput key={field} label={t(label)} value={(values[field] as number | null) ?? ''} readOnly={!canWrite} {...limits}
      onChange={(value) => set(field)(typeof value === 'number' ? value : null)} />
  );
  const theirs = conflict === null ? [] : changedFields(valuesOf(base), valuesOf(conflict));
  const owners = (directory.data ?? []).filter((person) => person.role === 'kam' || person.role === 'director');

  return (
    <form onSubmit={submit} aria-label={t('dossier.tabs.facts')}>
      <Stack>
        {conflict !== null && (
          <Alert color="orange" role="alert" title={t('dossier.conflictTitle')}>
            <Text size="sm">{t('dossier.conflictText', { name: conflict.name })}</Text>
            <Table mt="xs" mb="xs">
              <Table.Thead><Table.Tr><Table.Th>{t('dossier.field')}</Table.Th><Table.Th>{t('dossier.theirValue')}</Table.Th><Table.Th>{t('dossier.yourValue')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {[...new Set([...theirs, ...mine])].map((field) => (
                  <Table.Tr key={field}>
                    <Table.Td>{t(`fields.${field}`)}</Table.Td>
                    <Table.Td>{show(field, conflict[field as keyof Account])}</Table.Td>
                    <Table.Td>{mine.includes(field) ? show(field, values[field]) : '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group>
              <Button size="xs" onClick={reapply} loading={save.isPending}>{t('dossier.reapply')}</Button>
              <Button size="xs" variant="default" onClick={discard}>{t('dossier.discard')}</Button>
            </Group>
          </Alert>
        )}
        {conflict === null && !(save.error instanceof ApiError && save.error.status === 409) && <ErrorAlert error={save.error} />}
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          {text('name', 'fields.name')}
          <TagsInput label={t('fields.codes')} value={(values.codes as string[] | null) ?? []} readOnly={!canWrite} onChange={set('codes')} />
          {text('taxId', 'fields.taxId')}
          <Select label={t('fields.status')} value={values.status as string} readOnly={!canWrite} allowDeselect={false}
            data={ACCOUNT_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))} onChange={set('status')} />
          {text('industry', 'fields.industry')}
          {text('region', 'fields.region')}
          {text('website', 'fields.website')}
          {number('employees', 'fields.employees', { min: 0 })}
          <Select label={t('fields.ownerId')} value={(values.ownerId as string | null) ?? null} readOnly={!assignsOwners} clearable
            placeholder={t('accounts.noOwner')} data={owners.map((person) => ({ value: person.id, label: person.name }))}
            onChange={set('ownerId')} description={assignsOwners ? undefined : t('dossier.ownerByDirector')} />
          {number('cooperationHorizonMonths', 'fields.cooperationHorizonMonths', { min: 0 })}
          {number('reputationInfluence', 'fields.reputationInfluence', { min: 1, max: 5 })}
          {'annualPotential' in account && number('annualPotential', 'fields.annualPotential', { min: 0 })}
          {'paymentDaysLate' in account && number('paymentDaysLate', 'fields.paymentDaysLate')}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {text('description', 'fields.description', true)}
          {text('history', 'fields.history', true)}
          {text('orgStructure', 'fields.orgStructure', true)}
          {text('environment', 'fields.environment', true)}
          {text('longTermPlans', 'fields.longTermPlans', true)}
          {'privateNotes' in account && text('privateNotes', 'fields.privateNotes', true)}
          <Stack gap="xs">
            <Checkbox label={t('fields.imageMaker')} checked={values.imageMaker === true} disabled={!canWrite} onChange={(event) => set('imageMaker')(event.currentTarget.checked)} />
            {text('imageMakerReason', 'fields.imageMakerReason', true)}
          </Stack>
          <Stack gap="xs">
            <Checkbox label={t('fields.expert')} checked={values.expert === true} disabled={!canWrite} onChange={(event) => set('expert')(event.currentTarget.checked)} />
            {text('expertReason', 'fields.expertReason', true)}
          </Stack>
        </SimpleGrid>
        {canWrite && (
          <Group>
            <Button type="submit" disabled={mine.length === 0} loading={save.isPending && conflict === null}>{t('dossier.save')}</Button>
            {mine.length > 0 && <Button variant="default" onClick={() => setValues(valuesOf(base))}>{t('dossier.undo')}</Button>}
            <Text size="sm" c="dimmed">{mine.length === 0 ? t('dossier.noChanges') : t('dossier.changes', { count: mine.length })}</Text>
          </Group>
        )}
      </Stack>
    </form>
  );

  function show(field: Field, value: unknown): string {
    if (value === null || value === undefined || value === '') return '–';
    if (field === 'ownerId') return (directory.data ?? []).find((person) => person.id === value)?.name ?? String(value);
    if (field === 'status') return t(`status.${String(value)}`);
    if (Array.isArray(value)) return value.join(', ');
    if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
    return String(value);
  }
}
