CREATE TABLE "model_prices" (
	"user_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_micros_per_million" bigint NOT NULL,
	"output_micros_per_million" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_prices_user_id_provider_model_pk" PRIMARY KEY("user_id","provider","model"),
	CONSTRAINT "model_prices_nonnegative" CHECK ("model_prices"."input_micros_per_million" >= 0 and "model_prices"."output_micros_per_million" >= 0)
);
--> statement-breakpoint
ALTER TABLE "usage_ledger" ALTER COLUMN "cost_micros" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "models" jsonb;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "models_listed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "unpriced_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_ledger" ADD COLUMN "priced_by" text;--> statement-breakpoint
-- Hand-written: one name per provider (openai-compatible, formerly also "compatible"), and a self-hosted
-- model's calls, recorded at $0 before prices could be unknown, are of unknown cost.
UPDATE "usage_ledger" SET "provider" = 'openai-compatible' WHERE "provider" = 'compatible';--> statement-breakpoint
UPDATE "usage_ledger" SET "cost_micros" = NULL WHERE "provider" = 'openai-compatible' AND "cost_micros" = 0;--> statement-breakpoint
UPDATE "usage_ledger" SET "priced_by" = 'list' WHERE "cost_micros" IS NOT NULL;--> statement-breakpoint
UPDATE "projects" SET "models" = replace("models"::text, '"compatible:', '"openai-compatible:')::jsonb WHERE "models"::text LIKE '%"compatible:%';--> statement-breakpoint
UPDATE "users" SET "settings" = replace("settings"::text, '"compatible:', '"openai-compatible:')::jsonb WHERE "settings"::text LIKE '%"compatible:%';--> statement-breakpoint
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_user_model_idx" ON "usage_ledger" USING btree ("user_id","provider","model");--> statement-breakpoint
ALTER TABLE "usage_ledger" ADD CONSTRAINT "usage_priced_by_known" CHECK ("usage_ledger"."priced_by" in ('list', 'custom'));