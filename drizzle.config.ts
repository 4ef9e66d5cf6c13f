/**
 * drizzle-kit's settings: `npm run db:generate` writes a migration for a change of src/db/schema.
 * Migrations are committed and never edited once they have landed (docs/operations.md).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './src/db/migrations',
});
