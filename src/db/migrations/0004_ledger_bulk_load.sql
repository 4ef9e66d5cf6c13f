ALTER TABLE "import_new_accounts" DROP CONSTRAINT "import_new_accounts_import_id_imports_id_fk";
--> statement-breakpoint
ALTER TABLE "import_new_accounts" DROP CONSTRAINT "import_new_accounts_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_lines" DROP COLUMN "id";