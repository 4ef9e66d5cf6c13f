/**
 * The frame of every signed-in page: a header with the app's name, the sections the user's role may
 * open, the language and the user's menu; a link that skips to the content for keyboard users.
 */
import { Anchor, AppShell, Box, Burger, Button, Center, Group, Loader, Menu, NavLink, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, Navigate, Outlet, useLocation } from 'react-router';
import type { Role } from '../api/types.ts';
import { returnPath, useSession } from '../features/auth/session.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

type Section = { to: string; label: string; roles: readonly Role[] };

const SECTIONS: readonly Section[] = [
  { to: '/dashboard', label: 'nav.dashboard', roles: ['admin', 'director', 'kam', 'marketing'] },
  { to: '/digest', label: 'nav.digest', roles: ['admin', 'director', 'kam'] },
  { to: '/accounts', label: 'nav.accounts', roles: ['admin', 'director', 'kam', 'marketing'] },
  { to: '/slipping', label: 'nav.slipping', roles: ['admin', 'director', 'kam'] },
  { to: '/refusals', label: 'nav.refusals', roles: ['admin', 'director', 'kam'] },
  { to: '/win-back', label: 'nav.winBack', roles: ['admin', 'director', 'kam'] },
  { to: '/imports', label: 'nav.imports', roles: ['admin', 'director'] },
  { to: '/analyses', label: 'nav.analyses', roles: ['admin', 'director', 'kam', 'marketing'] },
  { to: '/users', label: 'nav.users', roles: ['admin'] },
];

export function Layout() {
  const { t } = useTranslation();
  const { user, signedOut, signOut } = useSession();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();

  if (user === undefined) {
    return <Center mih="100vh"><Loader aria-label={t('app.loading')} /></Center>;
  }
  if (user === null) return <Navigate to={signedOut ? '/sign-in' : `/sign-in?next=${encodeURIComponent(returnPath(location))}`} replace />;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <Anchor href="#main" className="skip-link">{t('app.skipToContent')}</Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('app.menu')} />
            <Text fw={700} size="lg" component="span">Kamerton</Text>
          </Group>
          <Group>
            <LanguageSwitch />
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton>
                  <Text size="sm" fw={500}>{user.name}</Text>
                  <Text size="xs" c="dimmed">{t(`roles.${user.role}`)}</Text>
                  {/* The button's name is its visible text and this, so that speech input finds it by what it shows. */}
                  <span className="visually-hidden">{t('app.userMenu')}</span>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{user.email}</Menu.Label>
                <Menu.Item onClick={() => void signOut()}>{t('auth.signOut')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('app.mainNavigation')}>
        <Stack gap={2}>
          {SECTIONS.filter((section) => section.roles.includes(user.role)).map((section) => (
            <NavLink key={section.to} component={RouterLink} to={section.to} label={t(section.label)} onClick={close}
              active={location.pathname.startsWith(section.to)} variant="filled" aria-current={location.pathname.startsWith(section.to) ? 'page' : undefined} />
          ))}
        </Stack>
        <Box mt="auto" pt="md">
          <Button variant="subtle" size="xs" onClick={() => void signOut()}>{t('auth.signOut')}</Button>
        </Box>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<Center py="xl"><Loader aria-label={t('app.loading')} /></Center>}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
