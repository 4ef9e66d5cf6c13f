CREATE TABLE "import_new_accounts" (
	"import_id" bigint NOT NULL,
	"code" text NOT NULL,
	"account_id" uuid NOT NULL,
	CONSTRAINT "import_new_accounts_import_id_code_pk" PRIMARY KEY("import_id","code")
);
--> statement-breakpoint
CREATE TABLE "import_rejects" (
	"import_id" bigint NOT NULL,
	"line" integer NOT NULL,
	"column" text,
	"value" text,
	"message" text NOT NULL,
	CONSTRAINT "import_rejects_import_id_line_pk" PRIMARY KEY("import_id","line")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"format" text NOT NULL,
	"user_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lines" integer NOT NULL,
	"accepted" integer NOT NULL,
	"rejected" integer NOT NULL,
	"unchanged" integer NOT NULL,
	"added" integer NOT NULL,
	"removed" integer NOT NULL,
	"new_accounts" integer NOT NULL,
	"columns" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"matched_by" text NOT NULL,
	"documents" integer NOT NULL,
	"first_day" date,
	"last_day" date,
	CONSTRAINT "imports_format" CHECK ("imports"."format" in ('csv', 'xlsx')),
	CONSTRAINT "imports_matched_by" CHECK ("imports"."matched_by" in ('document-line', 'values'))
);
--> statement-breakpoint
CREATE TABLE "ledger_days" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"revenue" bigint NOT NULL,
	"margin" bigint NOT NULL,
	"margin_lines" integer NOT NULL,
	"lines" integer NOT NULL,
	"purchase_lines" integer NOT NULL,
	CONSTRAINT "ledger_days_account_id_day_pk" PRIMARY KEY("account_id","day"),
	CONSTRAINT "ledger_days_lines" CHECK ("ledger_days"."lines" >= 0 and "ledger_days"."purchase_lines" between 0 and "ledger_days"."lines" and "ledger_days"."margin_lines" between 0 and "ledger_days"."lines")
);
--> statement-breakpoint
CREATE TABLE "ledger_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"source" text NOT NULL,
	"client_code" text NOT NULL,
	"sale_date" date NOT NULL,
	"document" text,
	"document_line" text,
	"product" text,
	"product_group" text,
	"quantity" double precision,
	"revenue" bigint NOT NULL,
	"cost" bigint,
	"margin" bigint,
	"due_date" date,
	"paid_date" date,
	"fingerprint" bigint NOT NULL,
	"import_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analysis_results" (
	"run_id" bigint NOT NULL,
	"account_id" uuid NOT NULL,
	"client" text,
	"rank" integer,
	"segment" text,
	"abc" text,
	"xyz" text,
	"types" text[] NOT NULL,
	"is_key" boolean NOT NULL,
	"activity" text,
	"revenue" numeric(18, 2) NOT NULL,
	"margin" numeric(18, 2),
	"share" double precision,
	"cumulative_share" double precision,
	"cv" double precision,
	"active_periods" integer NOT NULL,
	"first_purchase" date,
	"last_purchase" date,
	"days_since_last_purchase" integer,
	"growth" double precision,
	"payment_days_late" double precision,
	"product_groups" integer,
	CONSTRAINT "analysis_results_run_id_account_id_pk" PRIMARY KEY("run_id","account_id"),
	CONSTRAINT "analysis_results_segment_value" CHECK ("analysis_results"."segment" in ('AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ')),
	CONSTRAINT "analysis_results_activity" CHECK ("analysis_results"."activity" in ('active', 'slipping', 'lost'))
);
--> statement-breakpoint
CREATE TABLE "analysis_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" uuid,
	"params" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"import_id" bigint,
	"product_groups" integer
);
--> statement-breakpoint
ALTER TABLE "account_codes" ADD COLUMN "ledger_name" text;--> statement-breakpoint
ALTER TABLE "import_new_accounts" ADD CONSTRAINT "import_new_accounts_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_new_accounts" ADD CONSTRAINT "import_new_accounts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rejects" ADD CONSTRAINT "import_rejects_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analysis_runs" ADD CONSTRAINT "analysis_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_source" ON "imports" USING btree ("source","id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_lines_document" ON "ledger_lines" USING btree ("source","document","document_line") WHERE "ledger_lines"."document" is not null;--> statement-breakpoint
CREATE INDEX "ledger_lines_day" ON "ledger_lines" USING brin ("sale_date");--> statement-breakpoint
CREATE INDEX "ledger_lines_account" ON "ledger_lines" USING btree ("account_id","sale_date");--> statement-breakpoint
CREATE INDEX "analysis_results_segment" ON "analysis_results" USING btree ("run_id","segment");--> statement-breakpoint
CREATE INDEX "analysis_results_account" ON "analysis_results" USING btree ("account_id","run_id");