CREATE TABLE "git_remotes" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"url" text NOT NULL,
	"branch" text NOT NULL,
	"push_after_task" boolean DEFAULT false NOT NULL,
	"ciphertext" text NOT NULL,
	"iv" text NOT NULL,
	"master_key_id" text NOT NULL,
	"token_last4" text NOT NULL,
	"token_set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_check_ok" boolean
);
--> statement-breakpoint
ALTER TABLE "git_remotes" ADD CONSTRAINT "git_remotes_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "git_remotes" ADD CONSTRAINT "git_remotes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;