// npm run k6:install — builds the pinned k6 into .tools/ (skipped when already there).
import { ensureK6 } from "./lib.mjs";

try {
  ensureK6();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
