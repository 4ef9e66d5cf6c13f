/**
 * The imports over the API (docs/api.md): the preview of a chosen file, the import job and its
 * polling, the import history and one import's record.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';

/** Every ledger field, in the order the mapping lists them (src/ingest/types.ts). */
export const LEDGER_FIELDS = [
  'date', 'client', 'revenue', 'cost', 'margin', 'quantity', 'product', 'group',
  'document', 'line', 'dueDate', 'paidDate', 'clientName',
] as const;
export type LedgerField = (typeof LEDGER_FIELDS)[number];

export const DELIMITERS = [';', ',', '\t', 'whitespace'] as const;
export const ENCODINGS = ['utf-8', 'windows-1250'] as const;
export const DECIMALS = [',', '.'] as const;
export const DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'YYYYMMDD', 'excel-serial'] as const;

export type Delimiter = (typeof DELIMITERS)[number];

/** How to read a file: the import's `options` (each absent one detected). */
export type ReadOptions = {
  delimiter?: Delimiter;
  encoding?: (typeof ENCODINGS)[number];
  header?: boolean;
  decimal?: (typeof DECIMALS)[number];
  dateFormat?: (typeof DATE_FORMATS)[number];
  sheet?: string;
  /** Field to header text or 1-based column; null for none. */
  map?: Partial<Record<LedgerField, string | number | null>>;
  /** Stop at the first bad line, importing nothing, instead of rejecting it and going on (the import only). */
  strict?: boolean;
};

export type RowError = { line: number; column: string | null; value: string | null; message: string };

export type ImportPreview = {
  fileName: string;
  source: string;
  format: 'csv' | 'xlsx';
  partial: boolean;
  detected: {
    delimiter: Delimiter | null;
    encoding: (typeof ENCODINGS)[number] | null;
    header: boolean;
    decimal: (typeof DECIMALS)[number] | null;
    dateFormat: (typeof DATE_FORMATS)[number] | null;
    sheets: string[] | null;
    sheet: string | null;
  };
  options: ReadOptions;
  remembered: { source: string; options: ReadOptions; importId: number; userId: string | null; updatedAt: string } | null;
  columns: { index: number; header: string }[];
  mapping: Record<LedgerField, number | null>;
  required: LedgerField[];
  missing: LedgerField[];
  rows: { line: number; cells: string[]; values: Partial<Record<LedgerField, string | number | null>> | null; error: RowError | null }[];
  problems: { field: string; message: string }[];
};

export type ImportSummary = {
  id: number;
  source: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  userId: string | null;
  startedAt: string;
  finishedAt: string;
  lines: number;
  accepted: number;
  rejected: number;
  unchanged: number;
  added: number;
  removed: number;
  matchedBy: 'document-line' | 'values';
  documents: number;
  firstDay: string | null;
  lastDay: string | null;
  newAccounts: number;
};

export type ImportRecord = Omit<ImportSummary, 'newAccounts'> & {
  newAccounts: { code: string; accountId: string }[];
  errors: RowError[];
};

export type ImportJob = {
  id: string;
  fileName: string;
  state: 'running' | 'done' | 'failed';
  phase: 'reading' | 'storing' | null;
  done: number;
  total: number | null;
  startedAt: string;
  finishedAt: string | null;
  record: ImportRecord | null;
  error: { code: string; message: string; details: Record<string, unknown> } | null;
};

/** How much of a CSV the preview sends: its start is enough to detect the layout and show the first rows. */
export const PREVIEW_SLICE_BYTES = 256 * 1024;

export function isWorkbook(file: File): boolean {
  return file.name.toLowerCase().endsWith('.xlsx');
}

function form(source: string, options: ReadOptions, file: Blob, fileName: string, partial?: boolean): FormData {
  // The server reads the fields before the file, so they come first.
  const data = new FormData();
  data.append('source', source);
  data.append('options', JSON.stringify(options));
  if (partial !== undefined) data.append('partial', String(partial));
  data.append('file', file, fileName);
  return data;
}

/**
 * The preview of `file` read with `options`: a CSV's first 256 KiB, a workbook whole (its rows are
 * in its compressed parts, so a slice of it is no workbook). Keyed by the file's version, so that a
 * new file or changed options preview again and the last preview stays on screen meanwhile.
 */
export function usePreview(file: File | null, fileVersion: number, source: string, options: ReadOptions) {
  return useQuery({
    queryKey: ['import-preview', fileVersion, source, options],
    enabled: file !== null && source !== '',
    queryFn: ({ signal }) => {
      const chosen = file!;
      const workbook = isWorkbook(chosen);
      const partial = !workbook && chosen.size > PREVIEW_SLICE_BYTES;
      const body = form(source, options, partial ? chosen.slice(0, PREVIEW_SLICE_BYTES) : chosen, chosen.name, partial);
      return api<ImportPreview>('/api/v1/imports/preview', { method: 'POST', body, signal });
    },
    placeholderData: keepPreviousData,
    retry: false,
    gcTime: 0,
  });
}

export function startImport(file: File, source: string, options: ReadOptions): Promise<ImportJob> {
  return api<ImportJob>('/api/v1/imports', { method: 'POST', body: form(source, options, file, file.name) });
}

/** An import job, polled twice a second while it runs. */
export function useImportJob(jobId: string | null) {
  return useQuery({
    queryKey: ['import-job', jobId],
    enabled: jobId !== null,
    queryFn: ({ signal }) => api<ImportJob>(`/api/v1/imports/jobs/${jobId}`, { signal }),
    refetchInterval: (query) => (query.state.data?.state === 'running' || query.state.data === undefined ? 500 : false),
    retry: false,
  });
}

export function useImports(page: number, pageSize: number) {
  return useQuery({
    queryKey: ['imports', page, pageSize],
    queryFn: ({ signal }) => api<Page<ImportSummary>>('/api/v1/imports', { query: { page, pageSize }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useImport(id: number | null) {
  return useQuery({
    queryKey: ['import', id],
    enabled: id !== null,
    queryFn: ({ signal }) => api<ImportRecord>(`/api/v1/imports/${id}`, { signal }),
  });
}
