/**
 * Right after the first-run setup: the demo company one click away (about 300 accounts with their
 * people, tenders and three years of sales), or straight to an empty Kamerton.
 */
import { Alert, Button, Code, Container, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { DemoSummary } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from './session.tsx';

export function WelcomePage() {
  const { t } = useTranslation();
  const format = useFormat();
  const user = useUser();
  const queryClient = useQueryClient();
  const available = useQuery({ queryKey: ['demo'], queryFn: () => api<{ available: boolean }>('/api/v1/demo') });
  const load = useMutation({
    mutationFn: () => api<DemoSummary>('/api/v1/demo', { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries(),
  });

  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1}>{t('welcome.title', { name: user.name })}</Title>
        <Text>{t('welcome.intro')}</Text>
        <ErrorAlert error={available.error ?? load.error} />
        {load.data ? (
          <Paper withBorder p="md">
            <Stack>
              <Alert color="green" role="status" title={t('welcome.loaded')}>
                {t('welcome.loadedSummary', {
                  accounts: format.number(load.data.accounts),
                  contacts: format.number(load.data.contacts),
                  lines: format.number(load.data.ledger.lines),
                })}
              </Alert>
              <Text size="sm">{t('welcome.demoUsers')} <Code>{load.data.password}</Code></Text>
              <Table>
                <Table.Thead>
                  <Table.Tr><Table.Th>{t('users.name')}</Table.Th><Table.Th>{t('auth.email')}</Table.Th><Table.Th>{t('users.role')}</Table.Th></Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {load.data.users.map((demoUser) => (
                    <Table.Tr key={demoUser.email}><Table.Td>{demoUser.name}</Table.Td><Table.Td>{demoUser.email}</Table.Td><Table.Td>{t(`roles.${demoUser.role}`)}</Table.Td></Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="sm" c="dimmed">{t('welcome.demoWarning')}</Text>
              <Group><Button component={Link} to="/accounts">{t('welcome.toAccounts')}</Button></Group>
            </Stack>
          </Paper>
        ) : (
          <Group>
            {available.data?.available && user.role === 'admin' && (
              <Button onClick={() => load.mutate()} loading={load.isPending}>{t('welcome.loadDemo')}</Button>
            )}
            <Button variant="default" component={Link} to="/accounts">{t('welcome.skip')}</Button>
          </Group>
        )}
        {available.data && !available.data.available && !load.data && <Text size="sm" c="dimmed">{t('welcome.demoUnavailable')}</Text>}
      </Stack>
    </Container>
  );
}
