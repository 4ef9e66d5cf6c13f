/**
 * A win-back action planned on an account: the offer (a discount with its percentage), who carries it
 * out, when it is due, and a note. The owner is the account's owner unless someone else is named.
 */
import { Button, Group, Modal, NumberInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useDirectory } from '../accounts/api.ts';
import { OFFER_TYPES, useWinBackChange, type OfferType } from './api.ts';

export type ActionTarget = { accountId: string; accountName: string; listId: string | null; ownerId: string | null };

function inDays(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

export function ActionModal({ target, onClose }: { target: ActionTarget; onClose(): void }) {
  const { t } = useTranslation();
  const directory = useDirectory();
  const [offerType, setOfferType] = useState<OfferType>('discount');
  const [discountPercent, setDiscountPercent] = useState<number | ''>(10);
  const [offer, setOffer] = useState('');
  const [ownerId, setOwnerId] = useState<string | null>(target.ownerId);
  const [dueOn, setDueOn] = useState(inDays(14));
  const [note, setNote] = useState('');
  const save = useWinBackChange(() => api('/api/v1/win-back/actions', {
    method: 'POST',
    body: {
      accountId: target.accountId,
      listId: target.listId,
      offerType,
      ...(offerType === 'discount' ? { discountPercent: discountPercent === '' ? null : discountPercent } : {}),
      offer,
      ...(ownerId === null ? {} : { ownerId }),
      dueOn,
      note,
    },
  }), onClose);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(undefined);
  }

  const owners = (directory.data ?? []).filter((person) => person.role !== 'marketing').map((person) => ({ value: person.id, label: person.name }));

  return (
    <Modal opened onClose={onClose} title={t('winBack.action.plan', { account: target.accountName })} closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert error={save.error} />
          <Select label={t('winBack.action.offerType')} required allowDeselect={false} value={offerType}
            data={OFFER_TYPES.map((value) => ({ value, label: t(`winBack.offer.${value}`) }))}
            onChange={(value) => setOfferType((value ?? 'discount') as OfferType)} />
          {offerType === 'discount' && (
            <NumberInput label={t('winBack.action.discountPercent')} required min={0.01} max={100} decimalScale={2} suffix=" %"
              value={discountPercent} onChange={(value) => setDiscountPercent(value === '' ? '' : Number(value))} />
          )}
          <Textarea label={t('winBack.action.offer')} autosize minRows={2} maxLength={2000} value={offer} onChange={(event) => setOffer(event.currentTarget.value)} />
          <Select label={t('winBack.action.owner')} placeholder={t('winBack.action.ownerDefault')} clearable searchable data={owners}
            value={ownerId} onChange={setOwnerId} />
          <TextInput label={t('winBack.action.dueOn')} type="date" required value={dueOn} onChange={(event) => setDueOn(event.currentTarget.value)} />
          <Textarea label={t('winBack.action.note')} autosize minRows={2} value={note} onChange={(event) => setNote(event.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={save.isPending}>{t('winBack.action.save')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
