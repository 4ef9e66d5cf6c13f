/**
 * The activity rules on the Slipping and lost page: what is in force, in a sentence per rule, with
 * every earlier version (who, when, why) for those who set them; and the form that adds a version.
 */
import { Button, Group, Modal, NumberInput, Paper, ScrollArea, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import type { ActivityRules, ActivityRulesView, TimeUnit } from './api.ts';

export function RulesSummary({ view, showVersions }: { view: ActivityRulesView; showVersions: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const r = view.inForce;
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4" mb="xs">{t('slipping.rules.title')}</Title>
      <Stack gap={4}>
        <Text size="sm">{t('slipping.rules.lost', { days: r.lostDays, pAlive: format.number(r.pAliveLost, 2), count: r.minRepeatPurchases })}</Text>
        <Text size="sm">{t('slipping.rules.slipping', { drop: format.number(r.pAliveDrop, 2), count: r.minRepeatPurchases })}</Text>
        <Text size="sm">{t(`slipping.rules.model.${r.timeUnit}`, { count: r.horizon })}</Text>
        <Text size="xs" c="dimmed">{r.id === null ? t('slipping.rules.defaults') : t('slipping.rules.version', { id: r.id })} {t('slipping.rules.nextRun')}</Text>
      </Stack>
      {showVersions && view.versions.length > 0 && (
        <details>
          <summary>{t('slipping.rules.history', { count: view.versions.length })}</summary>
          <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('slipping.rules.historyLabel') }}>
            <Table aria-label={t('slipping.rules.historyLabel')} miw={760}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('slipping.rules.when')}</Table.Th>
                  <Table.Th>{t('slipping.rules.who')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.lostDays')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.pAliveLost')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.minRepeatPurchases')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.pAliveDrop')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.horizon')}</Table.Th>
                  <Table.Th>{t('slipping.rules.fields.note')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {view.versions.map((v) => (
                  <Table.Tr key={v.id}>
                    <Table.Td>{format.dateTime(v.createdAt)}</Table.Td>
                    <Table.Td>{v.createdByName ?? t('slipping.rules.system')}</Table.Td>
                    <Table.Td>{v.lostDays}</Table.Td>
                    <Table.Td>{format.number(v.pAliveLost, 2)}</Table.Td>
                    <Table.Td>{v.minRepeatPurchases}</Table.Td>
                    <Table.Td>{format.number(v.pAliveDrop, 2)}</Table.Td>
                    <Table.Td>{t(`slipping.rules.horizonIn.${v.timeUnit}`, { count: v.horizon })}</Table.Td>
                    <Table.Td>{v.note ?? '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </details>
      )}
    </Paper>
  );
}

export function RulesModal({ opened, onClose, view }: { opened: boolean; onClose(): void; view: ActivityRulesView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [rules, setRules] = useState<ActivityRules>(() => rulesOnly(view.inForce));
  const [note, setNote] = useState('');
  // Each opening starts from the rules in force, not from an abandoned edit.
  useEffect(() => {
    if (opened) {
      setRules(rulesOnly(view.inForce));
      setNote('');
    }
  }, [opened, view.inForce]);
  const save = useMutation({
    mutationFn: () => api<ActivityRulesView>('/api/v1/activity-rules', { method: 'PUT', body: { ...rules, note: note.trim() === '' ? null : note.trim() } }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['activity-rules'], saved);
      onClose();
    },
  });
  const set = <K extends keyof ActivityRules>(key: K, value: ActivityRules[K]) => setRules((current) => ({ ...current, [key]: value }));
  const number = (key: 'lostDays' | 'minRepeatPurchases' | 'horizon' | 'pAliveLost' | 'pAliveDrop', props: { min: number; max: number; step: number; decimals?: number }) => (
    <NumberInput
      label={t(`slipping.rules.fields.${key}`)}
      description={t(`slipping.rules.help.${key}`)}
      min={props.min}
      max={props.max}
      step={props.step}
      decimalScale={props.decimals}
      allowDecimal={props.decimals !== undefined}
      value={rules[key]}
      onChange={(value) => typeof value === 'number' && set(key, value)}
      required
    />
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <Modal opened={opened} onClose={onClose} title={t('slipping.rules.change')} size="lg" closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit}>
        <Stack>
          {number('lostDays', { min: 1, max: 3650, step: 1 })}
          {number('pAliveLost', { min: 0, max: 1, step: 0.05, decimals: 2 })}
          {number('minRepeatPurchases', { min: 1, max: 1000, step: 1 })}
          {number('pAliveDrop', { min: 0.01, max: 1, step: 0.05, decimals: 2 })}
          <Group grow>
            <Select
              label={t('slipping.rules.fields.timeUnit')}
              value={rules.timeUnit}
              allowDeselect={false}
              onChange={(value) => value !== null && set('timeUnit', value as TimeUnit)}
              data={[{ value: 'week', label: t('slipping.rules.units.week') }, { value: 'day', label: t('slipping.rules.units.day') }]}
              comboboxProps={{ withinPortal: true }}
            />
            {number('horizon', { min: 1, max: rules.timeUnit === 'week' ? 520 : 3650, step: 1 })}
          </Group>
          <Textarea label={t('slipping.rules.fields.note')} value={note} onChange={(event) => setNote(event.currentTarget.value)} maxLength={1000} autosize minRows={2} />
          {save.error && <ErrorAlert error={save.error} />}
          <Group justify="space-between">
            <Button variant="subtle" type="button" onClick={() => setRules(rulesOnly(view.defaults))}>{t('slipping.rules.useDefaults')}</Button>
            <Group>
              <Button variant="default" type="button" onClick={onClose}>{t('common.cancel')}</Button>
              <Button type="submit" loading={save.isPending}>{t('slipping.rules.save')}</Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The six rules without the version's id, as the PUT takes them. */
function rulesOnly(r: ActivityRules): ActivityRules {
  return { lostDays: r.lostDays, pAliveLost: r.pAliveLost, minRepeatPurchases: r.minRepeatPurchases, pAliveDrop: r.pAliveDrop, timeUnit: r.timeUnit, horizon: r.horizon };
}
