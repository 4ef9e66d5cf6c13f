/**
 * API errors as the user reads them: a sentence in their language for the error's code (the server's
 * own message is English and meant for developers), and the fields a 400 named.
 */
import { Alert, List } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ApiError, type ApiErrorCode } from '../api/client.ts';

export function errorKey(code: ApiErrorCode): string {
  switch (code) {
    case 'invalid-input': return 'errors.invalidInput';
    case 'unauthenticated': return 'errors.unauthenticated';
    case 'forbidden': return 'errors.forbidden';
    case 'not-found': return 'errors.notFound';
    case 'conflict': return 'errors.conflict';
    case 'too-large': return 'errors.tooLarge';
    case 'too-many-requests': return 'errors.tooManyRequests';
    case 'internal': return 'errors.internal';
    case 'network': return 'errors.network';
  }
}

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const apiError = error instanceof ApiError ? error : null;
  return (
    <Alert color="red" role="alert" title={title ?? t('errors.title')}>
      {apiError === null ? t('errors.unexpected') : t(errorKey(apiError.code))}
      {apiError !== null && apiError.issues.length > 0 && (
        <List size="sm" mt="xs">
          {apiError.issues.map((issue) => (
            <List.Item key={`${issue.path}:${issue.message}`}>{issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
