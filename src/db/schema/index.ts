/** The database schema, one file per aggregate; drizzle-kit generates the migrations from here. */
export * from './users.ts';
export * from './accounts.ts';
export * from './contacts.ts';
export * from './competitors.ts';
export * from './tenders.ts';
export * from './history.ts';
export * from './ledger.ts';
export * from './analysis.ts';
export * from './keeping.ts';
