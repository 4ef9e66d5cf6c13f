/**
 * The signed-in user, for the whole app: read from the server at start (GET /api/v1/auth/session),
 * set by signing in or by the first-run setup, cleared by signing out. A request that finds the
 * session gone sends the user to sign in, and back to the page they were on afterwards.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '../../api/client.ts';
import type { Session, User } from '../../api/types.ts';
import { CurrencyContext, DEFAULT_CURRENCY } from '../../i18n/currency.ts';

type SessionState = {
  /** Undefined while the first probe runs. */
  user: User | null | undefined;
  /** Whether the server still waits for its first administrator. */
  setupNeeded: boolean;
  /** Why the user was sent to sign in, when it was not their own doing. */
  expired: boolean;
  /** Whether the user has just signed out: then the sign-in page carries no way back. */
  signedOut: boolean;
  /** The currency the server's money is in (KAMERTON_CURRENCY), PLN until a session says. */
  currency: string;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  setUp(input: { name: string; email: string; password: string }): Promise<void>;
};

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === null) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in user; for pages that are only reached signed in. */
export function useUser(): User {
  const { user } = useSession();
  if (user === null || user === undefined) throw new Error('useUser without a session');
  return user;
}

/** The path to come back to after signing in: the page the user was on, never a sign-in page. */
export function returnPath(location: { pathname: string; search: string }): string {
  return ['/sign-in', '/setup'].includes(location.pathname) ? '/' : `${location.pathname}${location.search}`;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [setupNeeded, setSetupNeeded] = useState(false);
  const [expired, setExpired] = useState(false);
  const [signedOut, setSignedOut] = useState(false);
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  const accept = useCallback((session: Session | null) => {
    setCsrfToken(session?.csrfToken ?? null);
    setUser(session?.user ?? null);
    if (session !== null) setCurrency(session.currency);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const [session, setup] = await Promise.all([
        api<Session>('/api/v1/auth/session', { sessionRequired: false }).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 401) return null;
          throw error;
        }),
        api<{ needed: boolean }>('/api/v1/setup'),
      ]).catch(() => [null, { needed: false }] as const);
      if (cancelled) return;
      setSetupNeeded(setup.needed);
      accept(session);
    })();
    return () => {
      cancelled = true;
    };
  }, [accept]);

  const here = returnPath(location);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      accept(null);
      setExpired(true);
      queryClient.clear();
      navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthenticatedHandler(null);
  }, [accept, navigate, queryClient, here]);

  const value = useMemo<SessionState>(() => ({
    user,
    setupNeeded,
    expired,
    signedOut,
    currency,
    async signIn(email, password) {
      accept(await api<Session>('/api/v1/auth/login', { method: 'POST', body: { email, password }, sessionRequired: false }));
      setExpired(false);
      setSignedOut(false);
    },
    async signOut() {
      try {
        await api<void>('/api/v1/auth/logout', { method: 'POST', sessionRequired: false });
      } finally {
        setSignedOut(true);
        accept(null);
        setExpired(false);
        queryClient.clear();
        navigate('/sign-in', { replace: true });
      }
    },
    async setUp(input) {
      accept(await api<Session>('/api/v1/setup', { method: 'POST', body: input, sessionRequired: false }));
      setSetupNeeded(false);
      setSignedOut(false);
    },
  }), [user, setupNeeded, expired, signedOut, currency, accept, navigate, queryClient]);

  return (
    <SessionContext.Provider value={value}>
      <CurrencyContext.Provider value={currency}>{children}</CurrencyContext.Provider>
    </SessionContext.Provider>
  );
}
