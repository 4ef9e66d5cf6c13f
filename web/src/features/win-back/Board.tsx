/**
 * The board of win-back actions in five columns: open, overdue, won back, declined, no answer. Each
 * card shows the account, the offer, the owner and the due date; an open or overdue card sets its
 * outcome with one click (won back, declined, no answer). A won-back card names the day the client
 * bought again when the ledger says so.
 */
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { OUTCOMES, useWinBackChange, type Outcome, type WinBackAction } from './api.ts';

export const COLUMNS = ['open', 'overdue', 'won-back', 'declined', 'no-answer'] as const;
type Column = (typeof COLUMNS)[number];

const COLUMN_COLOURS: Record<Column, string> = { open: 'blue', overdue: 'red', 'won-back': 'green', declined: 'gray', 'no-answer': 'yellow' };

function columnOf(action: WinBackAction): Column {
  return action.outcome ?? (action.state === 'overdue' ? 'overdue' : 'open');
}

export function Board({ actions }: { actions: WinBackAction[] }) {
  const { t } = useTranslation();
  const setOutcome = useWinBackChange(({ action, outcome }: { action: WinBackAction; outcome: Outcome }) =>
    api(`/api/v1/win-back/actions/${action.id}`, { method: 'PATCH', body: { outcome, version: action.version } }));
  return (
    <Stack>
      <ErrorAlert error={setOutcome.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
        {COLUMNS.map((column) => {
          const cards = actions.filter((action) => columnOf(action) === column);
          const id = `win-back-column-${column}`;
          return (
            <Paper key={column} withBorder p="xs" bg="gray.0" component="section" aria-labelledby={id} data-testid={id}>
              <Group justify="space-between" mb="xs">
                <Title order={3} size="h5" id={id}>{t(`winBack.column.${column}`)}</Title>
                <Badge color={COLUMN_COLOURS[column]} variant="light">{cards.length}</Badge>
              </Group>
              <Stack gap="xs">
                {cards.length === 0 && <Text size="sm" c="dimmed">{t('winBack.board.empty')}</Text>}
                {cards.map((action) => (
                  <ActionCard key={action.id} action={action} busy={setOutcome.isPending}
                    onOutcome={(outcome) => setOutcome.mutate({ action, outcome })} />
                ))}
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
    </Stack>
  );
}

function ActionCard({ action, busy, onOutcome }: { action: WinBackAction; busy: boolean; onOutcome(outcome: Outcome): void }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Paper withBorder p="xs" data-testid="win-back-card">
      <Stack gap={4}>
        <Anchor component={Link} to={`/accounts/${action.accountId}`} fw={600} size="sm">{action.accountName}</Anchor>
        <Text size="sm">
          {t(`winBack.offer.${action.offerType}`)}
          {action.discountPercent !== null ? ` ${format.number(action.discountPercent, 2)}%` : ''}
        </Text>
        {action.offer !== null && <Text size="xs">{action.offer}</Text>}
        <Text size="xs">{t('winBack.card.owner', { name: action.ownerName ?? '–' })}</Text>
        <Text size="xs" c={action.state === 'overdue' ? 'red.9' : undefined}>{t('winBack.card.due', { date: format.date(action.dueOn) })}</Text>
        {action.segment !== null && <Text size="xs">{t('winBack.card.segment', { segment: action.segment })}</Text>}
        {action.wonBackOn !== null && <Text size="xs" fw={700}>{t('winBack.card.boughtOn', { date: format.date(action.wonBackOn) })}</Text>}
        {action.outcome !== null && action.wonBackOn === null && action.outcomeOn !== null && (
          <Text size="xs">{t('winBack.card.closedOn', { date: format.date(action.outcomeOn) })}</Text>
        )}
        {action.outcome === null && (
          <Group gap={4} mt={4}>
            {OUTCOMES.map((outcome) => (
              <Button key={outcome} size="compact-xs" variant="light" disabled={busy} onClick={() => onOutcome(outcome)}>
                {t(`winBack.outcome.${outcome}`)}
                <span className="visually-hidden">{`: ${action.accountName}`}</span>
              </Button>
            ))}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
