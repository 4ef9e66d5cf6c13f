/**
 * The API's objects as they arrive in the browser (dates as ISO strings). The server's zod schemas
 * (src/api/routes) are the reference; /api/openapi.json documents them.
 */
import type { Activity, KeyClientType, Segment } from '../../../src/core/types.ts';

export const ROLES = ['admin', 'director', 'kam', 'marketing'] as const;
export type Role = (typeof ROLES)[number];

export const ACCOUNT_STATUSES = ['prospect', 'active', 'lost', 'won-back'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export type User = {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
};

/** What sign-in, the first-run setup and the session probe answer. */
export type Session = { user: User; csrfToken: string; currency: string };

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

export type AccountAnalysis = {
  runId: number;
  segment: Segment | null;
  types: KeyClientType[];
  isKey: boolean;
  activity: Activity | null;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  /** Absent for marketing, as every money field. */
  revenue?: number;
  margin?: number | null;
  growth?: number | null;
};

export type Account = {
  id: string;
  name: string;
  codes: string[];
  taxId: string | null;
  industry: string | null;
  region: string | null;
  website: string | null;
  employees: number | null;
  description: string | null;
  history: string | null;
  orgStructure: string | null;
  environment: string | null;
  ownerId: string | null;
  ownerName: string | null;
  teamIds: string[];
  imageMaker: boolean;
  imageMakerReason: string | null;
  expert: boolean;
  expertReason: string | null;
  annualPotential?: number | null;
  longTermPlans: string | null;
  cooperationHorizonMonths: number | null;
  reputationInfluence: number | null;
  paymentDaysLate?: number | null;
  privateNotes?: string | null;
  status: AccountStatus;
  analysis: AccountAnalysis | null;
  createdAt: string;
  updatedAt: string;
  version: number;
};

export type DemoSummary = {
  password: string;
  users: { name: string; email: string; role: Role; accounts: number }[];
  accounts: number;
  contacts: number;
  tenders: number;
  ledger: { lines: number };
};
