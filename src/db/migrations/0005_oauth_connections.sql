CREATE TABLE "oauth_connections" (
	"user_id" text NOT NULL,
	"client_id" text NOT NULL,
	"app_name" text NOT NULL,
	"organization_id" text,
	"scopes" text[] NOT NULL,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "oauth_connections_user_id_client_id_pk" PRIMARY KEY("user_id","client_id")
);
