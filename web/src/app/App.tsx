import { lazy } from 'react';
import { MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, Outlet } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { ApiError } from '../api/client.ts';
import { SessionProvider } from '../features/auth/session.tsx';
import { SetupPage } from '../features/auth/SetupPage.tsx';
import { SignInPage } from '../features/auth/SignInPage.tsx';
import { WelcomePage } from '../features/auth/WelcomePage.tsx';
import { Layout } from './Layout.tsx';
import { NotFoundPage, RouteError } from './RouteError.tsx';

// Each section's page is a chunk of its own, loaded when first opened: the first page shows sooner,
// and ECharts comes only with the pages that draw charts.
const load = {
  dashboard: () => import('../features/dashboard/DashboardPage.tsx'),
  digest: () => import('../features/digest/DigestPage.tsx'),
  refusals: () => import('../features/refusals/RefusalsPage.tsx'),
  accounts: () => import('../features/accounts/AccountsPage.tsx'),
  account: () => import('../features/accounts/AccountPage.tsx'),
  imports: () => import('../features/imports/ImportsPage.tsx'),
  analyses: () => import('../features/analyses/AnalysesPage.tsx'),
  slipping: () => import('../features/activity/SlippingPage.tsx'),
  users: () => import('../features/users/UsersPage.tsx'),
  winBack: () => import('../features/win-back/WinBackPage.tsx'),
};
const DashboardPage = lazy(() => load.dashboard().then((module) => ({ default: module.DashboardPage })));
const DigestPage = lazy(() => load.digest().then((module) => ({ default: module.DigestPage })));
const RefusalsPage = lazy(() => load.refusals().then((module) => ({ default: module.RefusalsPage })));
const AccountsPage = lazy(() => load.accounts().then((module) => ({ default: module.AccountsPage })));
const AccountPage = lazy(() => load.account().then((module) => ({ default: module.AccountPage })));
const ImportsPage = lazy(() => load.imports().then((module) => ({ default: module.ImportsPage })));
const AnalysesPage = lazy(() => load.analyses().then((module) => ({ default: module.AnalysesPage })));
const SlippingPage = lazy(() => load.slipping().then((module) => ({ default: module.SlippingPage })));
const UsersPage = lazy(() => load.users().then((module) => ({ default: module.UsersPage })));
const WinBackPage = lazy(() => load.winBack().then((module) => ({ default: module.WinBackPage })));

/**
 * The chunk of the page the address opens starts loading with the app, beside the session's request,
 * rather than after it (the page renders only once the session is known). Importing it again later
 * takes the same module.
 */
function preloadOpenedPage(path: string): void {
  const section = path.split('/')[1] ?? '';
  if (section === '' || section === 'dashboard') void load.dashboard();
  else if (section === 'digest') void load.digest();
  else if (section === 'refusals') void load.refusals();
  else if (section === 'accounts') void (path.split('/').length > 2 ? load.account() : load.accounts());
  else if (section === 'imports') void load.imports();
  else if (section === 'analyses') void load.analyses();
  else if (section === 'slipping') void load.slipping();
  else if (section === 'users') void load.users();
  else if (section === 'win-back') void load.winBack();
}
preloadOpenedPage(window.location.pathname);

// Shade 8 of the primary colour, gray 7 for dimmed text, and dark text on the pale backgrounds of the
// light variants (alerts, badges): Mantine's defaults (shade 6, gray 6, each colour's shade 6) fall short
// of WCAG's 4.5:1 contrast for normal text, which axe-core checks on every page.
const theme = createTheme({ primaryColor: 'blue', primaryShade: 8, defaultRadius: 'sm' });
const cssVariables: CSSVariablesResolver = (current) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': current.colors.gray[7]!,
    ...Object.fromEntries(Object.keys(current.colors).map((name) => [`--mantine-color-${name}-light-color`, current.colors.dark[8]!])),
  },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not go away by asking again; a network failure or a 5xx might.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      staleTime: 30_000,
      refetchOnWindowFocus: false,
    },
  },
});

function Root() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

const router = createBrowserRouter([
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/setup', element: <SetupPage /> },
      {
        element: <Layout />,
        children: [
          // The portfolio at a glance first; every count on it leads on to the accounts behind it.
          { index: true, element: <Navigate to="/dashboard" replace /> },
          { path: '/welcome', element: <WelcomePage /> },
          { path: '/accounts', element: <AccountsPage /> },
          { path: '/accounts/:accountId', element: <AccountPage /> },
          { path: '/dashboard', element: <DashboardPage /> },
          { path: '/digest', element: <DigestPage /> },
          { path: '/refusals', element: <RefusalsPage /> },
          { path: '/imports', element: <ImportsPage /> },
          { path: '/analyses', element: <AnalysesPage /> },
          { path: '/slipping', element: <SlippingPage /> },
          { path: '/users', element: <UsersPage /> },
          { path: '/win-back', element: <WinBackPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
