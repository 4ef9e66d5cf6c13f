/**
 * One import's record as the user reads it: what it counted and changed, the accounts it created (each
 * a link to its dossier), and the lines it rejected with their line numbers, downloadable in full.
 */
import { Anchor, Button, Group, Paper, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useFormat } from '../../i18n/format.ts';
import type { ImportRecord } from './api.ts';

export function ImportResult({ record, onClose }: { record: ImportRecord; onClose?: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const counts: { key: string; value: number }[] = [
    { key: 'lines', value: record.lines },
    { key: 'accepted', value: record.accepted },
    { key: 'unchanged', value: record.unchanged },
    { key: 'added', value: record.added },
    { key: 'removed', value: record.removed },
    { key: 'rejected', value: record.rejected },
    { key: 'newAccounts', value: record.newAccounts.length },
  ];
  const titleId = `import-${record.id}-title`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId} data-testid="import-result">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={2} id={titleId}>{t('imports.result.title', { file: record.fileName })}</Title>
            <Text size="sm" c="dimmed">
              {t('imports.result.subtitle', {
                source: record.source,
                date: format.dateTime(record.finishedAt),
                first: format.date(record.firstDay),
                last: format.date(record.lastDay),
              })}
            </Text>
          </div>
          {onClose !== undefined && <Button variant="default" size="xs" onClick={onClose}>{t('common.close')}</Button>}
        </Group>

        <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} spacing="xs" component="dl" m={0}>
          {counts.map((count) => (
            <Paper key={count.key} withBorder p="xs" data-testid={`count-${count.key}`}>
              <Text component="dt" size="xs" c="gray.7">{t(`imports.counts.${count.key}`)}</Text>
              <Text component="dd" m={0} fw={700} size="lg">{format.number(count.value)}</Text>
            </Paper>
          ))}
        </SimpleGrid>

        {record.newAccounts.length > 0 && (
          <Stack gap={4}>
            <Title order={3} size="h5">{t('imports.result.newAccounts')}</Title>
            <Group gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {record.newAccounts.map((account) => (
                <li key={account.accountId}>
                  <Anchor component={Link} to={`/accounts/${account.accountId}`} size="sm">{account.code}</Anchor>
                </li>
              ))}
            </Group>
          </Stack>
        )}

        <Stack gap={4}>
          <Group justify="space-between">
            <Title order={3} size="h5">{t('imports.result.rejectedLines')}</Title>
            {record.rejected > 0 && (
              <Anchor href={`/api/v1/imports/${record.id}/rejects.csv`} download size="sm">{t('imports.result.downloadRejects')}</Anchor>
            )}
          </Group>
          {record.errors.length === 0 ? <Text size="sm" c="gray.7">{t('imports.result.noRejects')}</Text> : (
            <ScrollArea.Autosize mah={360} viewportProps={{ tabIndex: 0, 'aria-label': t('imports.result.rejectedLines') }}>
              <Table striped aria-label={t('imports.result.rejectedLines')} data-testid="rejected-lines">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th style={{ textAlign: 'right' }}>{t('imports.rejects.line')}</Table.Th>
                    <Table.Th>{t('imports.rejects.column')}</Table.Th>
                    <Table.Th>{t('imports.rejects.value')}</Table.Th>
                    <Table.Th>{t('imports.rejects.reason')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {record.errors.map((error) => (
                    <Table.Tr key={error.line}>
                      <Table.Td style={{ textAlign: 'right' }}>{error.line}</Table.Td>
                      <Table.Td>{error.column ?? '–'}</Table.Td>
                      <Table.Td>{error.value ?? '–'}</Table.Td>
                      <Table.Td>{error.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          )}
          {record.rejected > record.errors.length && (
            <Text size="xs" c="gray.7">{t('imports.result.moreRejects', { shown: format.number(record.errors.length), total: format.number(record.rejected) })}</Text>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}
