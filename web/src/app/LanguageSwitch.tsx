import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { changeLanguage, LANGUAGES, type Language } from '../i18n/index.ts';

/** Polish or English; each option is named in its own language, as language pickers do. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      aria-label={t('app.language')}
      size="xs"
      value={i18n.language}
      onChange={(value) => void changeLanguage(value as Language)}
      data={LANGUAGES.map((language) => ({ value: language, label: language === 'pl' ? 'Polski' : 'English' }))}
    />
  );
}
