import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useRouteError } from 'react-router';
import { ErrorAlert } from './errors.tsx';

/** A fault while rendering a page: said in the user's language, with a way back, never a blank page. */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  return (
    <Container size="sm" py="xl" component="main">
      <Stack>
        <Title order={1}>{t('errors.pageFailed')}</Title>
        <ErrorAlert error={error} />
        <Button component="a" href="/" variant="default">{t('app.home')}</Button>
      </Stack>
    </Container>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Title order={1}>{t('errors.pageNotFound')}</Title>
      <Text>{t('errors.pageNotFoundText')}</Text>
      <Button component={Link} to="/accounts" variant="default" w="fit-content">{t('nav.accounts')}</Button>
    </Stack>
  );
}
