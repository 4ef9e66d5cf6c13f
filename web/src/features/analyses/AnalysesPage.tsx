/**
 * The analyses: a new run with chosen parameters (the director and the administrator), the kept runs
 * with their workbooks, and two runs compared, the latest two unless the user picks others. What each
 * role sees of the runs and the comparison is the server's decision (a KAM their own accounts,
 * marketing no money); the page shows what arrives.
 */
import { Group, Loader, Pagination, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';
import { useRuns, type Run } from './api.ts';
import { ComparisonView } from './ComparisonView.tsx';
import { NewAnalysisForm } from './NewAnalysisForm.tsx';
import { RunsTable } from './RunsTable.tsx';

const RUNS_PER_PAGE = 20;

export function AnalysesPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const user = useUser();
  const manages = user.role === 'director' || user.role === 'admin';
  const seesMoney = user.role !== 'marketing';
  const [page, setPage] = useState(1);
  const runs = useRuns(page, RUNS_PER_PAGE);
  const [chosenFrom, setChosenFrom] = useState<number | null>(null);
  const [chosenTo, setChosenTo] = useState<number | null>(null);

  const items = runs.data?.items ?? [];
  // Until the user picks, the latest run is compared with the one before it.
  const to = chosenTo ?? items[0]?.id ?? null;
  const from = chosenFrom ?? items.find((run) => run.id !== to)?.id ?? null;
  const pages = Math.max(1, Math.ceil((runs.data?.total ?? 0) / RUNS_PER_PAGE));

  function onRun(run: Run) {
    // The new run is compared with the run that was latest before it.
    const previous = items[0]?.id ?? null;
    setPage(1);
    setChosenTo(run.id);
    setChosenFrom(previous);
  }

  const runOptions = items.map((run) => ({
    value: String(run.id),
    label: t('analyses.compare.option', { id: run.id, asOf: format.date(run.window.asOf), abc: `${run.params.abc[0]}/${run.params.abc[1]}` }),
  }));
  // A chosen run from another page of the list stays selectable.
  for (const id of [from, to]) {
    if (id !== null && !runOptions.some((option) => option.value === String(id))) {
      runOptions.push({ value: String(id), label: t('analyses.compare.run', { id }) });
    }
  }

  return (
    <Stack>
      <Title order={1}>{t('analyses.title')}</Title>
      {manages && <NewAnalysisForm onRun={onRun} />}

      <section aria-labelledby="runs-title">
        <Stack gap="xs">
          <Group gap="xs">
            <Title order={2} size="h3" id="runs-title">{t('analyses.runs.title')}</Title>
            {runs.isFetching && <Loader size="xs" aria-label={t('app.loading')} />}
          </Group>
          <ErrorAlert error={runs.error} />
          {runs.data !== undefined && (
            <RunsTable runs={items} manages={manages} highlighted={[from, to].filter((id): id is number => id !== null)} />
          )}
          {pages > 1 && (
            <Pagination total={pages} value={Math.min(page, pages)} onChange={setPage}
              getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
          )}
        </Stack>
      </section>

      <section aria-labelledby="compare-title">
        <Stack gap="xs">
          <Title order={2} size="h3" id="compare-title">{t('analyses.compare.title')}</Title>
          {runs.data !== undefined && runs.data.total < 2 ? (
            <Text>{t('analyses.compare.needTwo')}</Text>
          ) : (
            <>
              <Group align="flex-end">
                <Select label={t('analyses.compare.from')} data={runOptions} value={from === null ? null : String(from)} allowDeselect={false}
                  onChange={(value) => value !== null && setChosenFrom(Number(value))} w={340} comboboxProps={{ withinPortal: true }} />
                <Select label={t('analyses.compare.to')} data={runOptions} value={to === null ? null : String(to)} allowDeselect={false}
                  onChange={(value) => value !== null && setChosenTo(Number(value))} w={340} comboboxProps={{ withinPortal: true }} />
              </Group>
              {from !== null && to !== null && from === to && <Text>{t('analyses.compare.same')}</Text>}
              {from !== null && to !== null && from !== to && <ComparisonView key={`${from}-${to}`} from={from} to={to} seesMoney={seesMoney} />}
            </>
          )}
        </Stack>
      </section>
    </Stack>
  );
}
