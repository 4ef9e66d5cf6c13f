import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function ImportsPage() {
  const { t } = useTranslation();
  return <Title order={1}>{t('nav.imports')}</Title>;
}
