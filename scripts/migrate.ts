// `npm run db:migrate`: applies the committed migrations to DATABASE_URL.
import nextEnv from "@next/env";
import { runMigrations } from "../src/db/migrate";

nextEnv.loadEnvConfig(process.cwd());
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (npm run dev migrates its embedded database by itself.)");
  process.exit(2);
}
runMigrations(url).then(
  () => console.log("migrations applied"),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
