/**
 * The panel beside the decision map: the selected person's card, editable (with the version check),
 * their manager chosen from the account's other people (the server refuses a line that would loop),
 * a new person reporting to them; or the form of a new person.
 */
import { Button, Checkbox, CloseButton, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { Account } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { ATTITUDES, BUYING_ROLES, RELATIONSHIPS, type Contact, type PanelState } from './DecisionMapTab.tsx';

type Draft = Pick<Contact, 'name' | 'position' | 'department' | 'email' | 'phone' | 'buyingRole' | 'influence' | 'attitude' | 'relationship' | 'reportsToId' | 'leftCompany'>;

const FIELDS: readonly (keyof Draft)[] = ['name', 'position', 'department', 'email', 'phone', 'buyingRole', 'influence', 'attitude', 'relationship', 'reportsToId', 'leftCompany'];

function draftOf(contact: Contact | null, reportsToId: string | null): Draft {
  return {
    name: contact?.name ?? '',
    position: contact?.position ?? null,
    department: contact?.department ?? null,
    email: contact?.email ?? null,
    phone: contact?.phone ?? null,
    buyingRole: contact?.buyingRole ?? 'other',
    influence: contact?.influence ?? null,
    attitude: contact?.attitude ?? 'neutral',
    relationship: contact?.relationship ?? 'none',
    reportsToId: contact?.reportsToId ?? reportsToId,
    leftCompany: contact?.leftCompany ?? false,
  };
}

type Props = {
  account: Account;
  people: readonly Contact[];
  panel: NonNullable<PanelState>;
  canWrite: boolean;
  onClose(): void;
  onSelect(id: string): void;
  onAddReport(managerId: string): void;
};

export function ContactPanel({ account, people, panel, canWrite, onClose, onSelect, onAddReport }: Props) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const contact = panel.mode === 'view' ? people.find((person) => person.id === panel.id) ?? null : null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(contact, panel.mode === 'new' ? panel.reportsToId : null));
  const changed = FIELDS.filter((field) => contact === null || JSON.stringify(contact[field]) !== JSON.stringify(draft[field]));

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['account', account.id, 'contacts'] });
    void queryClient.invalidateQueries({ queryKey: ['account', account.id, 'history'] });
  };
  const save = useMutation({
    mutationFn: () => {
      const body = Object.fromEntries(changed.map((field) => [field, typeof draft[field] === 'string' && draft[field] === '' ? null : draft[field]]));
      return contact === null
        ? api<Contact>(`/api/v1/accounts/${account.id}/contacts`, { method: 'POST', body: { ...body, name: draft.name } })
        : api<Contact>(`/api/v1/accounts/${account.id}/contacts/${contact.id}`, { method: 'PATCH', body: { ...body, version: contact.version } });
    },
    onSuccess: async (saved) => {
      await refresh();
      onSelect(saved.id);
    },
    onError: async (error) => {
      // Someone changed the person meanwhile: show their version; the user's edit stays in the form to reapply.
      if (error instanceof ApiError && error.status === 409) await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/accounts/${account.id}/contacts/${contact!.id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });

  if (panel.mode === 'view' && contact === null) return null;
  const set = <K extends keyof Draft>(field: K) => (value: Draft[K]) => setDraft((current) => ({ ...current, [field]: value }));
  const managers = people.filter((person) => person.id !== contact?.id);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (changed.length > 0) save.mutate();
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="contact-panel-title">
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={2} size="h4" id="contact-panel-title">{contact === null ? t('map.newPerson') : contact.name}</Title>
            <CloseButton onClick={onClose} aria-label={t('common.close')} />
          </Group>
          <ErrorAlert error={save.error ?? remove.error} />
          <SimpleGrid cols={2}>
            <TextInput label={t('contactFields.name')} required value={draft.name} readOnly={!canWrite} onChange={(e) => set('name')(e.currentTarget.value)} />
            <TextInput label={t('contactFields.position')} value={draft.position ?? ''} readOnly={!canWrite} onChange={(e) => set('position')(e.currentTarget.value)} />
            <TextInput label={t('contactFields.department')} value={draft.department ?? ''} readOnly={!canWrite} onChange={(e) => set('department')(e.currentTarget.value)} />
            <TextInput label={t('contactFields.email')} type="email" value={draft.email ?? ''} readOnly={!canWrite} onChange={(e) => set('email')(e.currentTarget.value)} />
            <TextInput label={t('contactFields.phone')} value={draft.phone ?? ''} readOnly={!canWrite} onChange={(e) => set('phone')(e.currentTarget.value)} />
            <Select label={t('contactFields.buyingRole')} value={draft.buyingRole} readOnly={!canWrite} allowDeselect={false}
              data={BUYING_ROLES.map((role) => ({ value: role, label: t(`buyingRoles.${role}`) }))} onChange={(value) => set('buyingRole')(value as Draft['buyingRole'])} />
            <Select label={t('contactFields.attitude')} value={draft.attitude} readOnly={!canWrite} allowDeselect={false}
              data={ATTITUDES.map((attitude) => ({ value: attitude, label: t(`attitudes.${attitude}`) }))} onChange={(value) => set('attitude')(value as Draft['attitude'])} />
            <Select label={t('contactFields.influence')} value={draft.influence === null ? null : String(draft.influence)} readOnly={!canWrite} clearable
              data={['1', '2', '3', '4', '5'].map((value) => ({ value, label: t('map.influenceValue', { value }) }))}
              onChange={(value) => set('influence')(value === null ? null : Number(value))} />
            <Select label={t('contactFields.relationship')} value={draft.relationship} readOnly={!canWrite} allowDeselect={false}
              data={RELATIONSHIPS.map((relationship) => ({ value: relationship, label: t(`relationships.${relationship}`) }))} onChange={(value) => set('relationship')(value as Draft['relationship'])} />
            <Select label={t('contactFields.reportsToId')} value={draft.reportsToId} readOnly={!canWrite} clearable searchable placeholder={t('map.noManager')}
              data={managers.map((person) => ({ value: person.id, label: person.name }))} onChange={(value) => set('reportsToId')(value)} />
          </SimpleGrid>
          <Checkbox label={t('contactFields.leftCompany')} checked={draft.leftCompany} disabled={!canWrite} onChange={(e) => set('leftCompany')(e.currentTarget.checked)} />
          {canWrite && (
            <Group>
              <Button type="submit" disabled={changed.length === 0 || draft.name.trim() === ''} loading={save.isPending}>
                {contact === null ? t('map.create') : t('dossier.save')}
              </Button>
              {contact !== null && <Button variant="default" onClick={() => onAddReport(contact.id)}>{t('map.addReport', { name: contact.name })}</Button>}
              {contact !== null && <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>{t('common.remove')}</Button>}
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
