/**
 * The accounts table's columns: what each shows, whether the server sorts by it (its sort field),
 * and whether it holds money, which marketing never receives.
 */
import { Anchor, Badge, Group } from '@mantine/core';
import { Link } from 'react-router';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import type { Account } from '../../api/types.ts';
import type { Formatters } from '../../i18n/format.ts';

export type Column = {
  id: string;
  label: string;
  /** The API's sort field, when the server can sort by this column. */
  sort?: string;
  money?: boolean;
  numeric?: boolean;
  render(account: Account, t: TFunction, format: Formatters): ReactNode;
};

export const COLUMNS: readonly Column[] = [
  { id: 'name', label: 'accounts.columns.name', sort: 'name', render: (a) => <Anchor component={Link} to={`/accounts/${a.id}`}>{a.name}</Anchor> },
  { id: 'codes', label: 'accounts.columns.codes', render: (a) => a.codes.join(', ') },
  {
    id: 'segment', label: 'accounts.columns.segment',
    render: (a) => (a.analysis?.segment ? <Badge variant="light">{a.analysis.segment}</Badge> : '–'),
  },
  {
    id: 'types', label: 'accounts.columns.types',
    render: (a, t) => (a.analysis && a.analysis.types.length > 0
      ? <Group gap={4}>{a.analysis.types.map((type) => <Badge key={type} variant="outline" size="sm">{t(`types.${type}`)}</Badge>)}</Group>
      : '–'),
  },
  { id: 'key', label: 'accounts.columns.key', render: (a, t) => (a.analysis?.isKey ? t('common.yes') : t('common.no')) },
  { id: 'activity', label: 'accounts.columns.activity', render: (a, t) => (a.analysis?.activity ? t(`activity.${a.analysis.activity}`) : '–') },
  { id: 'status', label: 'accounts.columns.status', sort: 'status', render: (a, t) => t(`status.${a.status}`) },
  { id: 'owner', label: 'accounts.columns.owner', render: (a, t) => a.ownerName ?? t('accounts.noOwner') },
  { id: 'industry', label: 'accounts.columns.industry', sort: 'industry', render: (a) => a.industry ?? '–' },
  { id: 'region', label: 'accounts.columns.region', sort: 'region', render: (a) => a.region ?? '–' },
  { id: 'employees', label: 'accounts.columns.employees', sort: 'employees', numeric: true, render: (a, _t, f) => f.number(a.employees) },
  { id: 'revenue', label: 'accounts.columns.revenue', money: true, numeric: true, render: (a, _t, f) => f.money(a.analysis?.revenue) },
  { id: 'potential', label: 'accounts.columns.potential', sort: 'annualPotential', money: true, numeric: true, render: (a, _t, f) => f.money(a.annualPotential) },
  { id: 'lastPurchase', label: 'accounts.columns.lastPurchase', render: (a, _t, f) => f.date(a.analysis?.lastPurchase) },
  { id: 'updatedAt', label: 'accounts.columns.updatedAt', sort: 'updatedAt', render: (a, _t, f) => f.dateTime(a.updatedAt) },
];

export const DEFAULT_COLUMNS = ['name', 'segment', 'types', 'key', 'activity', 'status', 'owner', 'revenue', 'lastPurchase'];
