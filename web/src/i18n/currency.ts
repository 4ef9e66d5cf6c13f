import { createContext } from 'react';

/** Money is in złote unless the server says otherwise. */
export const DEFAULT_CURRENCY = 'PLN';

/** The currency money is shown in: the session provider fills it from the server's answer. */
export const CurrencyContext = createContext(DEFAULT_CURRENCY);
