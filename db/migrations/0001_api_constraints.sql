DROP INDEX "projects_owner_activity_idx";--> statement-breakpoint
DROP INDEX "api_keys_user_idx";--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_test_ok" boolean;--> statement-breakpoint
CREATE INDEX "projects_owner_activity_id_idx" ON "projects" USING btree ("owner_id","last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "api_keys_user_idx" ON "api_keys" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_provider_known" CHECK ("api_keys"."provider" in ('openai', 'anthropic', 'groq', 'openai-compatible'));--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_base_url_only_compatible" CHECK (("api_keys"."provider" = 'openai-compatible') = ("api_keys"."base_url" is not null));--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_budget_nonnegative" CHECK ("projects"."budget_micros" >= 0);--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_mode_known" CHECK ("projects"."mode" in ('autopilot', 'interactive'));--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_status_known" CHECK ("projects"."status" in ('idle', 'running', 'waiting', 'paused', 'stopped', 'failed', 'completed'));--> statement-breakpoint
ALTER TABLE "usage_ledger" ADD CONSTRAINT "usage_amounts_nonnegative" CHECK ("usage_ledger"."input_tokens" >= 0 and "usage_ledger"."output_tokens" >= 0 and "usage_ledger"."cached_tokens" >= 0 and "usage_ledger"."cost_micros" >= 0 and "usage_ledger"."latency_ms" >= 0);