/**
 * The first run: the server has no administrator yet, so whoever opens it creates one (and is
 * signed in as them), then is offered the demo company.
 */
import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { ErrorAlert } from '../../app/errors.tsx';
import { LanguageSwitch } from '../../app/LanguageSwitch.tsx';
import { useSession } from './session.tsx';

export function SetupPage() {
  const { t } = useTranslation();
  const { setupNeeded, user, setUp } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // Once the form has submitted, the setup's own success closes the setup: the page then moves on to
  // the demo offer itself rather than being sent to the accounts.
  if (!setupNeeded && !busy) return <Navigate to={user ? '/' : '/sign-in'} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await setUp({ name, email, password });
      // busy stays set: the page is leaving, and clearing it would redirect before the navigation lands.
      navigate('/welcome', { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <form onSubmit={submit} aria-labelledby="setup-title">
          <Stack>
            <Title order={1} size="h2" id="setup-title">{t('setup.title')}</Title>
            <Text size="sm">{t('setup.intro')}</Text>
            <ErrorAlert error={error} />
            <TextInput label={t('setup.name')} autoComplete="name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <TextInput label={t('auth.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <PasswordInput label={t('auth.password')} description={t('setup.passwordRule')} autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>{t('setup.create')}</Button>
            <LanguageSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
