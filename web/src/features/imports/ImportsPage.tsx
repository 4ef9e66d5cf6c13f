/**
 * Importing the sales ledger in the browser: choose a file, see what the server detected and how the
 * columns map to ledger fields, correct either, check the first rows as the import will read them,
 * import and watch it run, then read the result. The history lists every import; `?import=ID` in the
 * address opens one import's record (the same view as a finished import's), so it can be linked to.
 *
 * The reading options the user changes are kept apart from the detected ones: each Select offers
 * "automatic" (what the server detected, shown beside it) and the explicit choices. The import is sent
 * the options the last preview read with, its mapping made explicit, so it reads what the preview showed.
 */
import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  FileInput,
  Group,
  List,
  Loader,
  Pagination,
  Paper,
  Progress,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useDirectory } from '../accounts/api.ts';
import {
  DATE_FORMATS,
  DECIMALS,
  DELIMITERS,
  ENCODINGS,
  isWorkbook,
  LEDGER_FIELDS,
  startImport,
  useImport,
  useImportJob,
  useImports,
  usePreview,
  type ImportJob,
  type ImportPreview,
  type LedgerField,
  type ReadOptions,
} from './api.ts';
import { ImportResult } from './ImportResult.tsx';

const AUTO = 'auto';
const NONE = 'none';
const HISTORY_PAGE_SIZE = 20;
const FILE_TYPES = '.csv,.txt,.tsv,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function ImportsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const [source, setSource] = useState('erp');
  const [debouncedSource] = useDebouncedValue(source.trim(), 400);
  const [file, setFile] = useState<File | null>(null);
  const [fileVersion, setFileVersion] = useState(0);
  const [options, setOptions] = useState<ReadOptions>({});
  // Strictness changes the import, not the reading: the preview reports every bad row either way.
  const [strict, setStrict] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const preview = usePreview(file, fileVersion, debouncedSource, options);
  const job = useImportJob(jobId);
  const start = useMutation({
    mutationFn: (input: { file: File; source: string; options: ReadOptions }) => startImport(input.file, input.source, input.options),
    onSuccess: (started) => setJobId(started.id),
  });

  const openId = Number(params.get('import'));
  const opened = useImport(Number.isInteger(openId) && openId > 0 ? openId : null);

  // A finished import opens its record, and every figure that comes from the ledger is stale.
  const finishedId = job.data?.state === 'done' ? job.data.record?.id ?? null : null;
  useEffect(() => {
    if (finishedId === null) return;
    void queryClient.invalidateQueries({ queryKey: ['imports'] });
    void queryClient.invalidateQueries({ queryKey: ['accounts'] });
    void queryClient.invalidateQueries({ queryKey: ['account'] });
    void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
    // The form starts over for the next file; the result stays open below it.
    setFile(null);
    setJobId(null);
    setOptions({});
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set('import', String(finishedId));
      return next;
    });
  }, [finishedId, queryClient, setParams]);

  function chooseFile(chosen: File | null) {
    setFile(chosen);
    setFileVersion((version) => version + 1);
    // A new file may be laid out differently: the choices made for the last one start over.
    setOptions({});
    setJobId(null);
    start.reset();
  }

  function closeRecord() {
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete('import');
      return next;
    });
  }

  const running = start.isPending || job.data?.state === 'running';
  const current = preview.data !== undefined && file !== null ? preview.data : null;
  const canImport = current !== null && current.missing.length === 0 && !preview.isFetching && !running && source.trim() !== '';

  return (
    <Stack>
      <Title order={1}>{t('imports.title')}</Title>

      <Paper withBorder p="md" component="section" aria-labelledby="imports-upload-title">
        <Stack gap="sm">
          <Title order={2} size="h3" id="imports-upload-title">{t('imports.upload.title')}</Title>
          <Group align="flex-end" gap="sm">
            <TextInput
              label={t('imports.upload.source')}
              description={t('imports.upload.sourceHint')}
              value={source}
              onChange={(event) => setSource(event.currentTarget.value)}
              w={220}
            />
            <FileInput
              label={t('imports.upload.file')}
              description={t('imports.upload.fileHint')}
              placeholder={t('imports.upload.choose')}
              accept={FILE_TYPES}
              value={file}
              onChange={chooseFile}
              clearable
              clearButtonProps={{ 'aria-label': t('imports.upload.clear') }}
              // Mantine's placeholder grey is too pale for 4.5:1 on white.
              styles={{ placeholder: { color: 'var(--mantine-color-gray-7)' } }}
              w={320}
              data-testid="import-file"
            />
          </Group>

          {file !== null && (
            <>
              <ErrorAlert error={preview.error} title={t('imports.preview.failed')} />
              {preview.error !== null && <ServerMessage error={preview.error} />}
              <ReadingOptions file={file} preview={current} options={options} onChange={setOptions} />
              {preview.isFetching && <Group gap="xs"><Loader size="xs" aria-label={t('app.loading')} /><Text size="sm">{t('imports.preview.reading')}</Text></Group>}
              {current !== null && <PreviewView preview={current} options={options} onChange={setOptions} />}
              <Checkbox
                label={t('imports.upload.strict')}
                description={t('imports.upload.strictHint')}
                checked={strict}
                onChange={(event) => setStrict(event.currentTarget.checked)}
              />
              <Group>
                <Button
                  disabled={!canImport}
                  loading={running}
                  onClick={() => current !== null && start.mutate({ file, source: source.trim(), options: strict ? { ...current.options, strict: true } : current.options })}
                >
                  {t('imports.upload.import')}
                </Button>
                {current !== null && current.missing.length > 0 && (
                  <Text size="sm" c="red.9">{t('imports.mapping.missing', { fields: current.missing.map((field) => t(`imports.fields.${field}`)).join(', ') })}</Text>
                )}
              </Group>
            </>
          )}
          <ErrorAlert error={start.error ?? job.error} title={t('imports.job.failed')} />
          {job.data !== undefined && <JobProgress job={job.data} />}
        </Stack>
      </Paper>

      {opened.error !== null && <ErrorAlert error={opened.error} />}
      {opened.data !== undefined && <ImportResult record={opened.data} onClose={closeRecord} />}

      <History />
    </Stack>
  );
}

/** The server's own words for a failed preview (which column, which line), beside the translated alert. */
function ServerMessage({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : null;
  return message === null || message === '' ? null : <Text size="sm" c="gray.8">{message}</Text>;
}

function delimiterLabel(t: (key: string) => string, delimiter: string): string {
  switch (delimiter) {
    case ';': return t('imports.options.semicolon');
    case ',': return t('imports.options.comma');
    case '\t': return t('imports.options.tab');
    default: return t('imports.options.whitespace');
  }
}

/**
 * The reading options, each "automatic" unless the user chose: delimiter and encoding for text,
 * the sheet for a workbook, the header, decimal separator and date format for both.
 */
function ReadingOptions({ file, preview, options, onChange }: {
  file: File;
  preview: ImportPreview | null;
  options: ReadOptions;
  onChange: (options: ReadOptions) => void;
}) {
  const { t } = useTranslation();
  const workbook = isWorkbook(file);
  // What "automatic" stands for: the source's remembered option when there is one, else what was detected.
  const remembered = preview?.remembered?.options ?? {};
  const effective = preview?.options ?? {};
  const detected = preview === null ? undefined : {
    ...preview.detected,
    ...(remembered.delimiter === undefined ? {} : { delimiter: remembered.delimiter }),
    ...(remembered.encoding === undefined ? {} : { encoding: remembered.encoding }),
    header: effective.header ?? preview.detected.header,
    ...(remembered.decimal === undefined ? {} : { decimal: remembered.decimal }),
    ...(remembered.dateFormat === undefined ? {} : { dateFormat: remembered.dateFormat }),
    sheet: preview.detected.sheet,
  };
  const auto = (key: keyof ReadOptions, shown: string | null | undefined) => ({
    value: AUTO,
    label: shown === null || shown === undefined
      ? t('imports.options.autoUnknown')
      : remembered[key] !== undefined ? t('imports.options.remembered', { value: shown }) : t('imports.options.auto', { value: shown }),
  });
  function set<K extends keyof ReadOptions>(key: K, value: ReadOptions[K] | undefined) {
    const next = { ...options };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next);
  }
  const select = (key: keyof ReadOptions, label: string, data: { value: string; label: string }[], value: string | undefined, apply: (value: string) => void) => (
    <Select
      label={label}
      data={data}
      value={value ?? AUTO}
      onChange={(chosen) => (chosen === null || chosen === AUTO ? set(key, undefined) : apply(chosen))}
      allowDeselect={false}
      w={230}
      comboboxProps={{ withinPortal: true }}
    />
  );
  return (
    <Group align="flex-end" gap="sm" role="group" aria-label={t('imports.options.title')}>
      {!workbook && select('delimiter', t('imports.options.delimiter'),
        [auto('delimiter', detected?.delimiter === undefined || detected.delimiter === null ? null : delimiterLabel(t, detected.delimiter)),
          ...DELIMITERS.map((d) => ({ value: d, label: delimiterLabel(t, d) }))],
        options.delimiter, (value) => set('delimiter', value as ReadOptions['delimiter']))}
      {!workbook && select('encoding', t('imports.options.encoding'),
        [auto('encoding', detected?.encoding?.toUpperCase()), ...ENCODINGS.map((e) => ({ value: e, label: e.toUpperCase() }))],
        options.encoding, (value) => set('encoding', value as ReadOptions['encoding']))}
      {workbook && select('sheet', t('imports.options.sheet'),
        [auto('sheet', detected?.sheet), ...(detected?.sheets ?? []).map((sheet) => ({ value: sheet, label: sheet }))],
        options.sheet, (value) => set('sheet', value))}
      {select('header', t('imports.options.header'),
        [auto('header', detected === undefined ? null : detected.header ? t('common.yes') : t('common.no')),
          { value: 'yes', label: t('common.yes') }, { value: 'no', label: t('common.no') }],
        options.header === undefined ? undefined : options.header ? 'yes' : 'no', (value) => set('header', value === 'yes'))}
      {select('decimal', t('imports.options.decimal'),
        [auto('decimal', detected?.decimal === undefined || detected.decimal === null ? null : t(detected.decimal === ',' ? 'imports.options.decimalComma' : 'imports.options.decimalPoint')),
          { value: ',', label: t('imports.options.decimalComma') }, { value: '.', label: t('imports.options.decimalPoint') }],
        options.decimal, (value) => set('decimal', value as (typeof DECIMALS)[number]))}
      {select('dateFormat', t('imports.options.dateFormat'),
        [auto('dateFormat', detected?.dateFormat === 'excel-serial' ? t('imports.options.excelSerial') : detected?.dateFormat),
          ...DATE_FORMATS.map((f) => ({ value: f, label: f === 'excel-serial' ? t('imports.options.excelSerial') : f }))],
        options.dateFormat, (value) => set('dateFormat', value as ReadOptions['dateFormat']))}
    </Group>
  );
}

/** The mapping (a Select per ledger field), what to know before importing, and the first rows raw and as read. */
function PreviewView({ preview, options, onChange }: { preview: ImportPreview; options: ReadOptions; onChange: (options: ReadOptions) => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const money = new Intl.NumberFormat(i18n.language === 'pl' ? 'pl-PL' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const columnData = [
    { value: NONE, label: t('imports.mapping.none') },
    ...preview.columns.map((column) => ({ value: String(column.index), label: `${column.index}: ${column.header}` })),
  ];
  const fieldsOf = (index: number) => LEDGER_FIELDS.filter((field) => preview.mapping[field] === index);
  const mapped = LEDGER_FIELDS.filter((field) => preview.mapping[field] !== null || (field === 'margin' && preview.mapping.cost !== null));

  function mapField(field: LedgerField, value: string | null) {
    // The whole mapping goes by column number from the first change on: what the user sees is what is sent.
    const map: NonNullable<ReadOptions['map']> = {};
    for (const f of LEDGER_FIELDS) map[f] = preview.mapping[f];
    map[field] = value === null || value === NONE ? null : Number(value);
    onChange({ ...options, map });
  }

  function shown(field: LedgerField, value: string | number | null | undefined): string {
    if (value === null || value === undefined) return '–';
    if (typeof value === 'number') return field === 'revenue' || field === 'cost' || field === 'margin' ? money.format(value) : format.number(value, 3);
    if (field === 'date' || field === 'dueDate' || field === 'paidDate') return format.date(value);
    return value;
  }

  return (
    <Stack gap="sm" data-testid="import-preview">
      {preview.remembered !== null && (
        <Text size="sm" c="gray.8">{t('imports.preview.remembered', { source: preview.source, date: format.dateTime(preview.remembered.updatedAt) })}</Text>
      )}
      {preview.problems.length > 0 && (
        <Alert color="orange" title={t('imports.preview.problems')}>
          <List size="sm">
            {preview.problems.map((problem) => (
              <List.Item key={`${problem.field}:${problem.message}`}>{`${fieldLabel(t, problem.field)}: ${problem.message}`}</List.Item>
            ))}
          </List>
        </Alert>
      )}

      <Title order={3} size="h4">{t('imports.mapping.title')}</Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="xs" role="group" aria-label={t('imports.mapping.title')}>
        {LEDGER_FIELDS.map((field) => (
          <Select
            key={field}
            label={t(`imports.fields.${field}`)}
            withAsterisk={preview.required.includes(field)}
            error={preview.missing.includes(field) ? t('imports.mapping.required') : undefined}
            data={columnData}
            value={String(preview.mapping[field] ?? NONE)}
            onChange={(value) => mapField(field, value)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        ))}
      </SimpleGrid>

      <Title order={3} size="h4">{t('imports.preview.rowsTitle')}</Title>
      <Text size="sm" c="gray.8">
        {preview.partial ? t('imports.preview.rowsPartial', { count: preview.rows.length }) : t('imports.preview.rows', { count: preview.rows.length })}
      </Text>
      <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('imports.preview.rowsTitle') }}>
        <Table striped withTableBorder aria-label={t('imports.preview.rowsTitle')} data-testid="preview-rows">
          <Table.Thead>
            <Table.Tr>
              <Table.Th style={{ textAlign: 'right' }}>{t('imports.rejects.line')}</Table.Th>
              {preview.columns.map((column) => (
                <Table.Th key={column.index}>
                  <Stack gap={2}>
                    <span>{column.header}</span>
                    {fieldsOf(column.index).map((field) => <Text key={field} span size="xs" c="blue.9" fw={700}>{`→ ${t(`imports.fields.${field}`)}`}</Text>)}
                  </Stack>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.rows.map((row) => (
              <Table.Tr key={row.line} bg={row.error === null ? undefined : 'red.0'}>
                <Table.Td style={{ textAlign: 'right' }}>{row.line}</Table.Td>
                {preview.columns.map((column) => <Table.Td key={column.index}>{row.cells[column.index - 1] ?? ''}</Table.Td>)}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>

      {preview.missing.length === 0 && (
        <>
          <Title order={3} size="h4">{t('imports.preview.valuesTitle')}</Title>
          <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('imports.preview.valuesTitle') }}>
            <Table striped withTableBorder aria-label={t('imports.preview.valuesTitle')} data-testid="preview-values">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th style={{ textAlign: 'right' }}>{t('imports.rejects.line')}</Table.Th>
                  {mapped.map((field) => <Table.Th key={field}>{t(`imports.fields.${field}`)}</Table.Th>)}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.rows.map((row) => (
                  <Table.Tr key={row.line}>
                    <Table.Td style={{ textAlign: 'right' }}>{row.line}</Table.Td>
                    {row.error !== null ? (
                      <Table.Td colSpan={mapped.length}>
                        <Text size="sm" c="red.9" fw={600}>
                          {t('imports.preview.rowError', { line: row.line, column: row.error.column ?? '–', value: row.error.value ?? '–', message: row.error.message })}
                        </Text>
                      </Table.Td>
                    ) : row.values === null ? (
                      <Table.Td colSpan={mapped.length}><Text size="sm" c="gray.7">{t('imports.preview.notRead')}</Text></Table.Td>
                    ) : mapped.map((field) => <Table.Td key={field}>{shown(field, row.values?.[field])}</Table.Td>)}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </>
      )}
    </Stack>
  );
}

function fieldLabel(t: (key: string) => string, field: string): string {
  return (LEDGER_FIELDS as readonly string[]).includes(field) ? t(`imports.fields.${field}`) : field;
}

/** A running import's phase and progress; a failed one's error with where in the file it happened. */
function JobProgress({ job }: { job: ImportJob }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (job.state === 'failed' && job.error !== null) {
    const details = job.error.details;
    const where = (['file', 'line', 'column', 'value'] as const).filter((key) => details[key] !== undefined && details[key] !== null);
    return (
      <Alert color="red" role="alert" title={t('imports.job.failed')}>
        <Text size="sm">{job.error.message}</Text>
        {where.length > 0 && (
          <List size="sm" mt="xs">
            {where.map((key) => <List.Item key={key}>{`${t(`imports.job.${key}`)}: ${String(details[key])}`}</List.Item>)}
          </List>
        )}
      </Alert>
    );
  }
  if (job.state !== 'running') return null;
  const percent = job.phase === 'reading' && job.total !== null && job.total > 0 ? Math.min(100, (job.done / job.total) * 100) : null;
  const phase = job.phase === 'storing' ? t('imports.job.storing') : t('imports.job.reading');
  return (
    <Stack gap={4} aria-live="polite">
      <Text size="sm">{percent === null ? phase : `${phase} ${format.number(percent)}%`}</Text>
      <Progress
        value={percent ?? 100}
        striped={percent === null}
        animated={percent === null}
        aria-label={t('imports.job.progress', { file: job.fileName })}
        color="blue.8"
      />
    </Stack>
  );
}

/** Every import, newest first; a file's name opens its record. */
function History() {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const [, setParams] = useSearchParams();
  const imports = useImports(page, HISTORY_PAGE_SIZE);
  const directory = useDirectory();
  const names = new Map((directory.data ?? []).map((person) => [person.id, person.name]));
  const total = imports.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const numeric = { textAlign: 'right' } as const;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="imports-history-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="imports-history-title">{t('imports.history.title')}</Title>
        <ErrorAlert error={imports.error} />
        <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('imports.history.title') }}>
          <Table striped highlightOnHover aria-label={t('imports.history.title')} miw={900} data-testid="import-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.history.date')}</Table.Th>
                <Table.Th>{t('imports.history.file')}</Table.Th>
                <Table.Th>{t('imports.history.source')}</Table.Th>
                <Table.Th>{t('imports.history.user')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.lines')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.added')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.unchanged')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.removed')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.rejected')}</Table.Th>
                <Table.Th style={numeric}>{t('imports.counts.newAccounts')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imports.data?.items.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>{format.dateTime(item.finishedAt)}</Table.Td>
                  <Table.Td>
                    <Anchor
                      component="button"
                      type="button"
                      size="sm"
                      onClick={() => setParams((current) => {
                        const next = new URLSearchParams(current);
                        next.set('import', String(item.id));
                        return next;
                      })}
                    >
                      {item.fileName}
                      <span className="visually-hidden">{` ${t('imports.history.open', { id: item.id })}`}</span>
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{item.source}</Table.Td>
                  <Table.Td>{item.userId === null ? t('imports.history.system') : names.get(item.userId) ?? '–'}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.lines)}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.added)}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.unchanged)}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.removed)}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.rejected)}</Table.Td>
                  <Table.Td style={numeric}>{format.number(item.newAccounts)}</Table.Td>
                </Table.Tr>
              ))}
              {imports.data !== undefined && imports.data.items.length === 0 && (
                <Table.Tr><Table.Td colSpan={10}><Text size="sm" c="gray.7">{t('imports.history.empty')}</Text></Table.Td></Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {pages > 1 && (
          <Pagination
            total={pages}
            value={page}
            onChange={setPage}
            getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })}
          />
        )}
      </Stack>
    </Paper>
  );
}
