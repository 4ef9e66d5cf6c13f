/**
 * A new analysis run with chosen parameters: `kamerton analyze`'s flags as a form, each starting at
 * the default the server reports (GET /analysis-runs/defaults), so the form never copies them. Each
 * field says what it means and what its default is (docs/analysis.md, "Flags and their defaults").
 */
import { Button, Group, MultiSelect, NumberInput, Paper, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../app/errors.tsx';
import { notifySuccess } from '../../app/notify.ts';
import { useAnalysisDefaults, useRunAnalysis, type AnalysisDefaults, type AnalysisParams, type Run } from './api.ts';

export function NewAnalysisForm({ onRun }: { onRun: (run: Run) => void }) {
  const defaults = useAnalysisDefaults();
  if (defaults.data === undefined) return <ErrorAlert error={defaults.error} />;
  return <ParamsForm defaults={defaults.data} onRun={onRun} />;
}

function ParamsForm({ defaults, onRun }: { defaults: AnalysisDefaults; onRun: (run: Run) => void }) {
  const { t } = useTranslation();
  const initial = defaults.params;
  const [params, setParams] = useState<AnalysisParams>(initial);
  const run = useRunAnalysis((created) => {
    notifySuccess(t('analyses.form.done', { id: created.id }), t('common.close'));
    onRun(created);
  });
  const set = <K extends keyof AnalysisParams>(key: K, value: AnalysisParams[K]) => setParams((current) => ({ ...current, [key]: value }));
  const pair = (key: 'abc' | 'xyzFreq' | 'xyz', index: 0 | 1, value: number | string) => {
    const number = typeof value === 'number' ? value : Number.parseInt(value, 10);
    if (!Number.isFinite(number)) return;
    setParams((current) => {
      const next: [number, number] = [...current[key]];
      next[index] = number;
      return { ...current, [key]: next };
    });
  };
  const options = (name: 'period' | 'metric' | 'xyzMode') =>
    defaults.options[name].map((value) => ({ value, label: t(`analyses.values.${name}.${value}`) }));
  const percent = { min: 0, max: 100, step: 1, allowDecimal: false, suffix: ' %' } as const;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-analysis-title">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          run.mutate(params);
        }}
      >
        <Stack>
          <Title order={2} size="h3" id="new-analysis-title">{t('analyses.form.title')}</Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <Select label={t('analyses.form.period')} description={t('analyses.form.periodHelp', { value: t(`analyses.values.period.${initial.period}`) })}
              data={options('period')} value={params.period} onChange={(value) => value !== null && set('period', value)} allowDeselect={false} />
            <TextInput type="date" label={t('analyses.form.asOf')} description={t('analyses.form.asOfHelp')}
              value={params.asOf ?? ''} onChange={(event) => set('asOf', event.currentTarget.value === '' ? null : event.currentTarget.value)} />
            <TextInput type="date" label={t('analyses.form.from')} description={t('analyses.form.fromHelp')}
              value={params.from ?? ''} onChange={(event) => set('from', event.currentTarget.value === '' ? null : event.currentTarget.value)} />
            <Select label={t('analyses.form.metric')} description={t('analyses.form.metricHelp', { value: t(`analyses.values.metric.${initial.metric}`) })}
              data={options('metric')} value={params.metric} onChange={(value) => value !== null && set('metric', value)} allowDeselect={false} />
            <NumberInput {...percent} label={t('analyses.form.abcA')} description={t('analyses.form.abcAHelp', { value: initial.abc[0] })}
              value={params.abc[0]} onChange={(value) => pair('abc', 0, value)} />
            <NumberInput {...percent} label={t('analyses.form.abcB')} description={t('analyses.form.abcBHelp', { value: initial.abc[1] })}
              value={params.abc[1]} onChange={(value) => pair('abc', 1, value)} />
            <Select label={t('analyses.form.xyzMode')} description={t('analyses.form.xyzModeHelp', { value: t(`analyses.values.xyzMode.${initial.xyzMode}`) })}
              data={options('xyzMode')} value={params.xyzMode} onChange={(value) => value !== null && set('xyzMode', value)} allowDeselect={false} />
            {params.xyzMode === 'frequency' ? (
              <>
                <NumberInput {...percent} label={t('analyses.form.xyzFreqX')} description={t('analyses.form.xyzFreqXHelp', { value: initial.xyzFreq[0] })}
                  value={params.xyzFreq[0]} onChange={(value) => pair('xyzFreq', 0, value)} />
                <NumberInput {...percent} label={t('analyses.form.xyzFreqY')} description={t('analyses.form.xyzFreqYHelp', { value: initial.xyzFreq[1] })}
                  value={params.xyzFreq[1]} onChange={(value) => pair('xyzFreq', 1, value)} />
              </>
            ) : (
              <>
                <NumberInput min={0} step={1} allowDecimal={false} suffix=" %" label={t('analyses.form.xyzCvX')}
                  description={t('analyses.form.xyzCvXHelp', { value: initial.xyz[0] })} value={params.xyz[0]} onChange={(value) => pair('xyz', 0, value)} />
                <NumberInput min={0} step={1} allowDecimal={false} suffix=" %" label={t('analyses.form.xyzCvY')}
                  description={t('analyses.form.xyzCvYHelp', { value: initial.xyz[1] })} value={params.xyz[1]} onChange={(value) => pair('xyz', 1, value)} />
              </>
            )}
            <NumberInput {...percent} label={t('analyses.form.breadwinner')} description={t('analyses.form.breadwinnerHelp', { value: initial.breadwinner })}
              value={params.breadwinner} onChange={(value) => typeof value === 'number' && set('breadwinner', value)} />
            <MultiSelect label={t('analyses.form.keySegments')} description={t('analyses.form.keySegmentsHelp', { value: initial.keySegments.join(', ') })}
              data={defaults.options.keySegments} value={params.keySegments} onChange={(value) => set('keySegments', value as AnalysisParams['keySegments'])}
              comboboxProps={{ withinPortal: true }} />
            <NumberInput min={1} max={3650} step={1} allowDecimal={false} label={t('analyses.form.lostDays')}
              description={t('analyses.form.lostDaysHelp', { value: initial.lostDays })}
              value={params.lostDays} onChange={(value) => typeof value === 'number' && set('lostDays', value)} />
          </SimpleGrid>
          <ErrorAlert error={run.error} />
          <Group>
            <Button type="submit" loading={run.isPending}>{t('analyses.form.run')}</Button>
            <Button variant="default" onClick={() => setParams(initial)} disabled={run.isPending}>{t('analyses.form.reset')}</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
