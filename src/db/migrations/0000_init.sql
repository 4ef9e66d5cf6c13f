CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"user_agent" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "users_role" CHECK ("users"."role" in ('admin', 'director', 'kam', 'marketing'))
);
--> statement-breakpoint
CREATE TABLE "account_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "account_team" (
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "account_team_account_id_user_id_pk" PRIMARY KEY("account_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"tax_id" text,
	"industry" text,
	"region" text,
	"website" text,
	"employees" integer,
	"description" text,
	"history" text,
	"org_structure" text,
	"environment" text,
	"owner_id" uuid,
	"image_maker" boolean DEFAULT false NOT NULL,
	"image_maker_reason" text,
	"expert" boolean DEFAULT false NOT NULL,
	"expert_reason" text,
	"annual_potential" numeric(16, 2),
	"long_term_plans" text,
	"cooperation_horizon_months" integer,
	"reputation_influence" smallint,
	"payment_days_late" numeric(6, 1),
	"private_notes" text,
	"status" text DEFAULT 'prospect' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "accounts_status" CHECK ("accounts"."status" in ('prospect', 'active', 'lost', 'won-back')),
	CONSTRAINT "accounts_reputation" CHECK ("accounts"."reputation_influence" between 1 and 5),
	CONSTRAINT "accounts_employees" CHECK ("accounts"."employees" >= 0),
	CONSTRAINT "accounts_horizon" CHECK ("accounts"."cooperation_horizon_months" >= 0),
	CONSTRAINT "accounts_potential" CHECK ("accounts"."annual_potential" >= 0),
	CONSTRAINT "accounts_tax_id" CHECK ("accounts"."tax_id" ~ '^[0-9]{10}$')
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" text,
	"department" text,
	"email" text,
	"phone" text,
	"buying_role" text DEFAULT 'other' NOT NULL,
	"influence" smallint,
	"attitude" text DEFAULT 'neutral' NOT NULL,
	"relationship" text DEFAULT 'none' NOT NULL,
	"reports_to_id" uuid,
	"left_company" boolean DEFAULT false NOT NULL,
	"erased_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "contacts_buying_role" CHECK ("contacts"."buying_role" in ('decision-maker', 'economic-buyer', 'technical-buyer', 'influencer', 'champion', 'user', 'gatekeeper', 'blocker', 'other')),
	CONSTRAINT "contacts_attitude" CHECK ("contacts"."attitude" in ('mentor', 'supporter', 'neutral', 'non-supporter', 'opponent')),
	CONSTRAINT "contacts_relationship" CHECK ("contacts"."relationship" in ('none', 'brief', 'multiple', 'in-depth')),
	CONSTRAINT "contacts_influence" CHECK ("contacts"."influence" between 1 and 5),
	CONSTRAINT "contacts_not_own_boss" CHECK ("contacts"."reports_to_id" is null or "contacts"."reports_to_id" <> "contacts"."id")
);
--> statement-breakpoint
CREATE TABLE "account_competitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"competitor_id" uuid NOT NULL,
	"share_of_wallet" numeric(5, 2),
	"strengths" text,
	"weaknesses" text,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "account_competitors_share" CHECK ("account_competitors"."share_of_wallet" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "competitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"website" text,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"title" text NOT NULL,
	"date" date NOT NULL,
	"value" numeric(16, 2),
	"outcome" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"winning_competitor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "tenders_outcome" CHECK ("tenders"."outcome" in ('won', 'lost', 'pending', 'withdrawn')),
	CONSTRAINT "tenders_value" CHECK ("tenders"."value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" uuid,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"account_id" uuid,
	"action" text NOT NULL,
	"field" text,
	"old_value" text,
	"new_value" text,
	CONSTRAINT "history_entity_kind" CHECK ("history"."entity" in ('account', 'contact', 'competitor', 'account-competitor', 'tender', 'user')),
	CONSTRAINT "history_action" CHECK ("history"."action" in ('create', 'update', 'delete', 'erase'))
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settings" ADD CONSTRAINT "settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_codes" ADD CONSTRAINT "account_codes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_team" ADD CONSTRAINT "account_team_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_team" ADD CONSTRAINT "account_team_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_reports_to_id_contacts_id_fk" FOREIGN KEY ("reports_to_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_competitors" ADD CONSTRAINT "account_competitors_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_competitors" ADD CONSTRAINT "account_competitors_competitor_id_competitors_id_fk" FOREIGN KEY ("competitor_id") REFERENCES "public"."competitors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_winning_competitor_id_competitors_id_fk" FOREIGN KEY ("winning_competitor_id") REFERENCES "public"."competitors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "history" ADD CONSTRAINT "history_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "account_codes_account" ON "account_codes" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "account_team_user" ON "account_team" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "accounts_owner" ON "accounts" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "accounts_name_lower" ON "accounts" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "contacts_account" ON "contacts" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "account_competitors_pair" ON "account_competitors" USING btree ("account_id","competitor_id");--> statement-breakpoint
CREATE INDEX "account_competitors_competitor" ON "account_competitors" USING btree ("competitor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "competitors_name_lower" ON "competitors" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "tenders_account" ON "tenders" USING btree ("account_id","date");--> statement-breakpoint
CREATE INDEX "history_entity" ON "history" USING btree ("entity","entity_id","id");--> statement-breakpoint
CREATE INDEX "history_account" ON "history" USING btree ("account_id","id");