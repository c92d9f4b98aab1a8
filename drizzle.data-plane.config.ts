import { defineConfig } from "drizzle-kit";

// The data plane: each WABA's SQLite Durable Object (src/data-plane/schema.ts). `npm run db:generate`
// writes its migrations here, then scripts/db/bundle-migrations.ts inlines them into
// src/data-plane/migrations/bundle.ts, which the object applies when it starts.
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/data-plane/schema.ts",
  out: "./src/data-plane/migrations",
});
