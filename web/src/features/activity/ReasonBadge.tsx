/**
 * A reason for an account's activity as a badge that says what the rule saw, in the user's words:
 * "212 days without a purchase (rule: 180)", "P(active) 0.12 < 0.20", "Gap 95 days, more than twice
 * the usual 40", "P(active) fell 0.81 → 0.42".
 */
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format.ts';
import type { ActivityReason, ActivityRules } from './api.ts';

export type ReasonFigures = {
  daysSinceLastPurchase: number | null;
  medianGap?: number | null;
  pAlive: number | null;
  previousPAlive: number | null;
};

const COLOURS: Record<ActivityReason, string> = {
  'days-without-purchase': 'red',
  'p-alive-below': 'grape',
  'unusual-gap': 'orange',
  'p-alive-drop': 'yellow',
  'purchased-again': 'green',
};

export function ReasonBadge({ reason, figures, rules }: { reason: ActivityReason; figures: ReasonFigures; rules: ActivityRules | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const p = (value: number | null | undefined): string => format.number(value ?? null, 2);
  const text = ((): string => {
    switch (reason) {
      case 'days-without-purchase':
        return figures.daysSinceLastPurchase === null
          ? t('slipping.reasons.noPurchase')
          : t('slipping.reasons.days', { count: figures.daysSinceLastPurchase, rule: rules?.lostDays ?? '–' });
      case 'p-alive-below':
        return t('slipping.reasons.pAliveBelow', { value: p(figures.pAlive), rule: p(rules?.pAliveLost) });
      case 'unusual-gap':
        return figures.medianGap === undefined || figures.medianGap === null
          ? t('slipping.reasons.gapOnly', { count: figures.daysSinceLastPurchase ?? 0 })
          : t('slipping.reasons.gap', { count: figures.daysSinceLastPurchase ?? 0, usual: format.number(figures.medianGap, 1) });
      case 'p-alive-drop':
        return t('slipping.reasons.pAliveDrop', { before: p(figures.previousPAlive), after: p(figures.pAlive) });
      case 'purchased-again':
        return t('slipping.reasons.purchasedAgain');
    }
  })();
  return (
    <Badge color={COLOURS[reason]} variant="light" tt="none" h="auto" py={2} title={t(`slipping.reasonRules.${reason}`)}
      styles={{ label: { whiteSpace: 'normal', overflow: 'visible' } }}>
      {text}
    </Badge>
  );
}
