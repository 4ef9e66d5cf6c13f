CREATE TABLE "activity_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"run_id" bigint NOT NULL,
	"from_activity" text,
	"to_activity" text NOT NULL,
	"reasons" text[] NOT NULL,
	"details" jsonb NOT NULL,
	"changed_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_changes_from" CHECK ("activity_changes"."from_activity" in ('active', 'slipping', 'lost')),
	CONSTRAINT "activity_changes_to" CHECK ("activity_changes"."to_activity" in ('active', 'slipping', 'lost'))
);
--> statement-breakpoint
CREATE TABLE "activity_rules" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"lost_days" integer NOT NULL,
	"p_alive_lost" double precision NOT NULL,
	"min_repeat_purchases" integer NOT NULL,
	"p_alive_drop" double precision NOT NULL,
	"time_unit" text NOT NULL,
	"horizon" integer NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_rules_lost_days" CHECK ("activity_rules"."lost_days" >= 1),
	CONSTRAINT "activity_rules_p_alive_lost" CHECK ("activity_rules"."p_alive_lost" >= 0 and "activity_rules"."p_alive_lost" <= 1),
	CONSTRAINT "activity_rules_min_repeat" CHECK ("activity_rules"."min_repeat_purchases" >= 1),
	CONSTRAINT "activity_rules_p_alive_drop" CHECK ("activity_rules"."p_alive_drop" > 0 and "activity_rules"."p_alive_drop" <= 1),
	CONSTRAINT "activity_rules_time_unit" CHECK ("activity_rules"."time_unit" in ('day', 'week')),
	CONSTRAINT "activity_rules_horizon" CHECK ("activity_rules"."horizon" >= 1)
);
--> statement-breakpoint
CREATE TABLE "digest_deliveries" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"sent_at" timestamp with time zone,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "digest_deliveries_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "refusals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"direction" text,
	"note" text,
	"occurred_on" date NOT NULL,
	"value" numeric(16, 2),
	"tender_id" uuid,
	"competitor_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "refusals_kind" CHECK ("refusals"."kind" in ('declined-offer', 'lost-tender', 'cancelled-order', 'complaint')),
	CONSTRAINT "refusals_reason" CHECK ("refusals"."reason" in ('price', 'quality', 'service', 'delivery', 'competitor', 'relationship', 'other')),
	CONSTRAINT "refusals_value" CHECK ("refusals"."value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "win_back_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"list_id" uuid,
	"offer_type" text NOT NULL,
	"discount_percent" numeric(5, 2),
	"offer" text,
	"owner_id" uuid NOT NULL,
	"due_on" date NOT NULL,
	"outcome" text,
	"outcome_on" date,
	"won_back_on" date,
	"segment" text,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "win_back_actions_offer_type" CHECK ("win_back_actions"."offer_type" in ('special-offer', 'gift', 'discount', 'other')),
	CONSTRAINT "win_back_actions_discount" CHECK (("win_back_actions"."offer_type" = 'discount') = ("win_back_actions"."discount_percent" is not null) and "win_back_actions"."discount_percent" > 0 and "win_back_actions"."discount_percent" <= 100),
	CONSTRAINT "win_back_actions_outcome" CHECK ("win_back_actions"."outcome" in ('won-back', 'declined', 'no-answer')),
	CONSTRAINT "win_back_actions_outcome_on" CHECK (("win_back_actions"."outcome" is null) = ("win_back_actions"."outcome_on" is null)),
	CONSTRAINT "win_back_actions_segment" CHECK ("win_back_actions"."segment" in ('AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ'))
);
--> statement-breakpoint
CREATE TABLE "win_back_list_members" (
	"list_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "win_back_list_members_list_id_account_id_pk" PRIMARY KEY("list_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "win_back_lists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"criteria" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"refreshed_at" timestamp with time zone,
	"refreshed_run_id" bigint
);
--> statement-breakpoint
ALTER TABLE "history" DROP CONSTRAINT "history_entity_kind";--> statement-breakpoint
ALTER TABLE "analysis_results" ADD COLUMN "repeat_purchases" integer;--> statement-breakpoint
ALTER TABLE "analysis_results" ADD COLUMN "p_alive" double precision;--> statement-breakpoint
ALTER TABLE "analysis_results" ADD COLUMN "expected_purchases" double precision;--> statement-breakpoint
ALTER TABLE "analysis_results" ADD COLUMN "expected_revenue" numeric(18, 2);--> statement-breakpoint
ALTER TABLE "analysis_results" ADD COLUMN "activity_reasons" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "analysis_runs" ADD COLUMN "model" jsonb;--> statement-breakpoint
ALTER TABLE "analysis_runs" ADD COLUMN "rules_id" bigint;--> statement-breakpoint
ALTER TABLE "activity_changes" ADD CONSTRAINT "activity_changes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_rules" ADD CONSTRAINT "activity_rules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digest_deliveries" ADD CONSTRAINT "digest_deliveries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refusals" ADD CONSTRAINT "refusals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refusals" ADD CONSTRAINT "refusals_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refusals" ADD CONSTRAINT "refusals_competitor_id_competitors_id_fk" FOREIGN KEY ("competitor_id") REFERENCES "public"."competitors"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refusals" ADD CONSTRAINT "refusals_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_actions" ADD CONSTRAINT "win_back_actions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_actions" ADD CONSTRAINT "win_back_actions_list_id_win_back_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."win_back_lists"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_actions" ADD CONSTRAINT "win_back_actions_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_actions" ADD CONSTRAINT "win_back_actions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_list_members" ADD CONSTRAINT "win_back_list_members_list_id_win_back_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."win_back_lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_list_members" ADD CONSTRAINT "win_back_list_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "win_back_lists" ADD CONSTRAINT "win_back_lists_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_changes_account" ON "activity_changes" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "activity_changes_run" ON "activity_changes" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "refusals_account" ON "refusals" USING btree ("account_id","occurred_on");--> statement-breakpoint
CREATE INDEX "refusals_occurred" ON "refusals" USING btree ("occurred_on");--> statement-breakpoint
CREATE INDEX "win_back_actions_account" ON "win_back_actions" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "win_back_actions_owner" ON "win_back_actions" USING btree ("owner_id","due_on");--> statement-breakpoint
CREATE INDEX "win_back_list_members_account" ON "win_back_list_members" USING btree ("account_id");--> statement-breakpoint
ALTER TABLE "history" ADD CONSTRAINT "history_entity_kind" CHECK ("history"."entity" in ('account', 'contact', 'competitor', 'account-competitor', 'tender', 'user', 'refusal', 'win-back-list', 'win-back-action'));