CREATE TABLE "ledger_packs" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"has_margin" boolean NOT NULL,
	"days" "bytea" NOT NULL
);
--> statement-breakpoint
-- Packed days are stored uncompressed: they hardly compress, and compressing them on every import and
-- decompressing them on every analysis run cost more than the bytes saved (src/db/schema/ledger.ts).
ALTER TABLE "ledger_packs" ALTER COLUMN "days" SET STORAGE EXTERNAL;
--> statement-breakpoint
ALTER TABLE "import_new_accounts" DROP CONSTRAINT "import_new_accounts_import_id_imports_id_fk";
--> statement-breakpoint
ALTER TABLE "import_new_accounts" DROP CONSTRAINT "import_new_accounts_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_lines" DROP COLUMN "id";--> statement-breakpoint
-- The packed rollup of ledgers stored before this migration (src/db/schema/ledger.ts, ledger_packs),
-- packed as src/db/ledger-store.ts packs it.
INSERT INTO "ledger_packs" ("account_id", "has_margin", "days")
SELECT "account_id", bool_or("margin_lines" <> 0),
       string_agg(int4send("day" - date '1970-01-01') || int8send("revenue") || int8send("margin")
                  || int8send("lines"::int8 << 32 | "purchase_lines"), ''::bytea ORDER BY "day")
  FROM "ledger_days" GROUP BY "account_id";
