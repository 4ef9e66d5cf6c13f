/**
 * The relationship's history in one timeline, newest first: deliveries from the ledger, tenders with
 * their outcome and reasons, and the changes made to the dossier; older entries load on request.
 */
import { Badge, Button, Group, Loader, Stack, Text, Timeline } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { TenderModal, type Tender } from './TenderModal.tsx';

export type TimelineItem =
  | { kind: 'delivery'; at: string; document: string | null; lines: number; revenue: number; products: number }
  | { kind: 'tender'; at: string; id: string; title: string; outcome: string; value: number | null; reason: string | null; winningCompetitorName: string | null }
  | { kind: 'change'; at: string; id: number; entity: string; action: string; field: string | null; oldValue: string | null; newValue: string | null; userName: string | null };

type TimelinePage = { items: TimelineItem[]; nextBefore: string | null };

const COLORS = { delivery: 'blue', tender: 'grape', change: 'gray' } as const;

export function TimelineTab({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [tender, setTender] = useState<Tender | 'new' | null>(null);
  const [opening, setOpening] = useState<unknown>(null);
  const timeline = useInfiniteQuery({
    queryKey: ['account', accountId, 'timeline'],
    queryFn: ({ pageParam, signal }) => api<TimelinePage>(`/api/v1/accounts/${accountId}/timeline`, { query: { before: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  if (timeline.isPending) return <Loader aria-label={t('app.loading')} />;
  if (timeline.error) return <ErrorAlert error={timeline.error} />;
  const items = timeline.data.pages.flatMap((page) => page.items);

  /** A tender is edited at the version stored now, read when its form opens. */
  async function editTender(id: string) {
    setOpening(null);
    try {
      setTender(await api<Tender>(`/api/v1/accounts/${accountId}/tenders/${id}`));
    } catch (error) {
      setOpening(error);
    }
  }

  function describe(item: TimelineItem): { title: string; text: string } {
    switch (item.kind) {
      case 'delivery':
        return {
          title: item.document === null ? t('timeline.deliveryNoDocument') : t('timeline.delivery', { document: item.document }),
          text: t('timeline.deliveryText', { lines: format.number(item.lines), products: format.number(item.products), revenue: format.money(item.revenue) }),
        };
      case 'tender':
        return {
          title: t('timeline.tender', { title: item.title, outcome: t(`tenderOutcome.${item.outcome}`) }),
          text: [item.value === null ? null : format.money(item.value), item.winningCompetitorName && t('timeline.wonBy', { name: item.winningCompetitorName }), item.reason]
            .filter(Boolean).join(' · '),
        };
      case 'change':
        return {
          title: t(`timeline.change.${item.action}`, { entity: t(`entities.${item.entity}`) }),
          text: [item.field && `${t(`fields.${item.field}`, { defaultValue: item.field })}: ${item.oldValue ?? '–'} → ${item.newValue ?? '–'}`, item.userName ?? t('timeline.system')].filter(Boolean).join(' · '),
        };
    }
  }

  return (
    <Stack>
      <Group>
        <Button w="fit-content" onClick={() => setTender('new')}>{t('tenders.add')}</Button>
      </Group>
      <ErrorAlert error={opening} />
      {tender !== null && <TenderModal accountId={accountId} tender={tender} onClose={() => setTender(null)} />}
      {items.length === 0 && <Text c="dimmed">{t('timeline.empty')}</Text>}
      <Timeline bulletSize={14} lineWidth={2}>
        {items.map((item, index) => {
          const { title, text } = describe(item);
          return (
            <Timeline.Item key={`${item.kind}-${item.at}-${index}`} color={COLORS[item.kind]} title={
              <Group gap="xs"><Badge size="xs" color={COLORS[item.kind]} variant="light">{t(`timeline.kinds.${item.kind}`)}</Badge><Text size="sm" fw={500} component="span">{title}</Text></Group>
            }>
              <Text size="xs" c="dimmed">{item.kind === 'change' ? format.dateTime(item.at) : format.date(item.at)}</Text>
              {text !== '' && <Text size="sm">{text}</Text>}
              {item.kind === 'tender' && (
                <Button size="compact-xs" variant="subtle" onClick={() => void editTender(item.id)} aria-label={t('tenders.editNamed', { title: item.title })}>
                  {t('common.edit')}
                </Button>
              )}
            </Timeline.Item>
          );
        })}
      </Timeline>
      {timeline.hasNextPage && (
        <Button variant="default" w="fit-content" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>{t('timeline.older')}</Button>
      )}
    </Stack>
  );
}
