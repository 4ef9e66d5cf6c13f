-- Indexes for the account list's filters (measured by the API benchmark of issue 3, 100k accounts:
-- without them every list read the whole table twice, for its page and its count, about 100 ms of
-- database time). The INCLUDE columns let PostgreSQL count the matches from the index alone: an
-- expression index cannot return the column it was built from.
CREATE INDEX "accounts_status_industry" ON "accounts" ("status", lower("industry")) INCLUDE ("industry", "owner_id", "id");
--> statement-breakpoint
-- A KAM's own accounts, for the access rule (src/app/access.ts) and the owner filter.
CREATE INDEX "accounts_owner_covering" ON "accounts" ("owner_id") INCLUDE ("id", "status", "industry");
