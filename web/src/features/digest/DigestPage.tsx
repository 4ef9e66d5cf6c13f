/**
 * "Today" ("Na dziś"): the daily digest in the app, the same one the KAMs are e-mailed each morning
 * (GET /api/v1/digest): the user's key clients slipping away, the key clients lost in the last week,
 * and their win-back actions past due, each linking to the dossier. The director and the
 * administrator choose whose digest to read (kept in the address, ?user=).
 */
import { Anchor, Badge, Group, Loader, Paper, ScrollArea, Select, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useDirectory } from '../accounts/api.ts';
import { useUser } from '../auth/session.tsx';
import { useDigest, type Digest, type LostEntry, type OverdueEntry, type SlippingEntry } from './api.ts';

export function DigestPage() {
  const { t } = useTranslation();
  const user = useUser();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const managesAll = user.role === 'director' || user.role === 'admin';
  // Only those who may read anyone's digest choose; a KAM's is always their own.
  const chosen = managesAll ? params.get('user') ?? undefined : undefined;
  const digest = useDigest(chosen);
  const directory = useDirectory(managesAll);
  const people = [
    { value: user.id, label: t('digest.me', { name: user.name }) },
    ...(directory.data ?? [])
      .filter((person) => person.role === 'kam' && person.id !== user.id)
      .map((person) => ({ value: person.id, label: person.name })),
  ];

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>{t('digest.title')}</Title>
          {digest.data && (
            <Text c="dimmed" size="sm">
              {digest.data.user.id === user.id
                ? t('digest.subtitleOwn', { day: format.date(digest.data.day) })
                : t('digest.subtitleOf', { day: format.date(digest.data.day), name: digest.data.user.name })}
            </Text>
          )}
        </div>
        {managesAll && (
          <Select
            label={t('digest.person')}
            data={people}
            value={chosen ?? user.id}
            onChange={(value) => setParams(value === null || value === user.id ? {} : { user: value })}
            allowDeselect={false}
            searchable
            w={260}
          />
        )}
      </Group>
      <ErrorAlert error={digest.error} />
      {digest.isPending && <Loader aria-label={t('app.loading')} />}
      {digest.data && <DigestSections digest={digest.data} />}
    </Stack>
  );
}

function DigestSections({ digest }: { digest: Digest }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <>
      {digest.run === null ? (
        <Text size="sm">{t('digest.noRun')}</Text>
      ) : (
        <Text size="sm" c="dimmed">{t('digest.runOf', { asOf: format.date(digest.run.asOf), createdAt: format.dateTime(digest.run.createdAt) })}</Text>
      )}
      {digest.counts.total === 0 && (
        <Paper withBorder p="md" data-testid="digest-all-clear">
          <Text fw={500}>{t('digest.allClear')}</Text>
        </Paper>
      )}
      <Section id="digest-slipping" title={t('digest.slipping.title')} count={digest.counts.slipping} empty={t('digest.slipping.empty')}>
        <SlippingTable items={digest.slipping} />
      </Section>
      <Section id="digest-lost" title={t('digest.newlyLost.title')} count={digest.counts.newlyLost} empty={t('digest.newlyLost.empty')}>
        <LostTable items={digest.newlyLost} />
      </Section>
      <Section
        id="digest-overdue"
        title={t('digest.overdue.title')}
        count={digest.counts.overdue}
        empty={t('digest.overdue.empty')}
        footer={<Anchor component={Link} to="/win-back" size="sm">{t('digest.overdue.winBack')}</Anchor>}
      >
        <OverdueTable items={digest.overdue} />
      </Section>
    </>
  );
}

function Section({ id, title, count, empty, footer, children }: {
  id: string; title: string; count: number; empty: string; footer?: ReactNode; children: ReactNode;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id} data-testid={id}>
      <Title order={2} size="h3" id={id} mb="sm">
        {title}{' '}
        <Badge component="span" variant="filled" color={count === 0 ? 'gray.7' : 'red.9'} size="lg" style={{ verticalAlign: 'middle' }}>{count}</Badge>
      </Title>
      {count === 0 ? <Text c="dimmed" size="sm">{empty}</Text> : (
        <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': title }}>
          {children}
        </ScrollArea>
      )}
      {footer !== undefined && <Group mt="sm">{footer}</Group>}
    </Paper>
  );
}

function AccountLink({ id, name }: { id: string; name: string }) {
  return <Anchor component={Link} to={`/accounts/${id}`}>{name}</Anchor>;
}

function Reasons({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  if (codes.length === 0) return <>–</>;
  return <>{codes.map((code) => t(`digest.reasons.${code}`, { defaultValue: code })).join(', ')}</>;
}

function SlippingTable({ items }: { items: SlippingEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table striped miw={640} aria-labelledby="digest-slipping">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('digest.account')}</Table.Th>
          <Table.Th ta="right">{t('digest.daysWithout')}</Table.Th>
          <Table.Th ta="right">{t('digest.pAlive')}</Table.Th>
          <Table.Th>{t('digest.reasonsHeader')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr key={item.accountId}>
            <Table.Td><AccountLink id={item.accountId} name={item.accountName} /></Table.Td>
            <Table.Td ta="right">{format.number(item.daysSinceLastPurchase)}</Table.Td>
            <Table.Td ta="right">{format.percent(item.pAlive)}</Table.Td>
            <Table.Td><Reasons codes={item.reasons} /></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function LostTable({ items }: { items: LostEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table striped miw={720} aria-labelledby="digest-lost">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('digest.account')}</Table.Th>
          <Table.Th>{t('digest.lostOn')}</Table.Th>
          <Table.Th>{t('digest.before')}</Table.Th>
          <Table.Th ta="right">{t('digest.daysWithout')}</Table.Th>
          <Table.Th>{t('digest.reasonsHeader')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr key={item.accountId}>
            <Table.Td><AccountLink id={item.accountId} name={item.accountName} /></Table.Td>
            <Table.Td>{format.date(item.changedOn)}</Table.Td>
            <Table.Td>{t(`activity.${item.fromActivity}`)}</Table.Td>
            <Table.Td ta="right">{format.number(item.daysSinceLastPurchase)}</Table.Td>
            <Table.Td><Reasons codes={item.reasons} /></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function OverdueTable({ items }: { items: OverdueEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const offer = (item: OverdueEntry): string => (item.offerType === 'discount' && item.discountPercent !== null
    ? t('digest.offers.discountPercent', { percent: format.number(item.discountPercent, 2) })
    : t(`digest.offers.${item.offerType}`));
  return (
    <Table striped miw={640} aria-labelledby="digest-overdue">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('digest.account')}</Table.Th>
          <Table.Th>{t('digest.offer')}</Table.Th>
          <Table.Th>{t('digest.dueOn')}</Table.Th>
          <Table.Th ta="right">{t('digest.daysOverdue')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr key={item.actionId}>
            <Table.Td><AccountLink id={item.accountId} name={item.accountName} /></Table.Td>
            <Table.Td>{offer(item)}{item.offer === null ? '' : `: ${item.offer}`}</Table.Td>
            <Table.Td>{format.date(item.dueOn)}</Table.Td>
            <Table.Td ta="right">{format.number(item.daysOverdue)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
