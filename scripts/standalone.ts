// Completes Next's standalone output after a plain `next build` (a container's build; `npm run
// build` does it by itself): see scripts/lib/standalone.ts.
import { completeStandalone } from "./lib/standalone";

completeStandalone(process.cwd()).then(
  () => console.log("standalone: .next/standalone is complete (node serve.cjs start)"),
  (err: unknown) => {
    console.error("standalone:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
