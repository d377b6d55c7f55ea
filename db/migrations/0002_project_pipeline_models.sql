ALTER TABLE "projects" ADD COLUMN "pipeline" text DEFAULT 'agents' NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "models" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_pipeline_known" CHECK ("projects"."pipeline" in ('agents', 'scripted'));