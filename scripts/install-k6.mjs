// npm run k6:install [-- pinned|oldest|both] — builds the pinned k6 (and/or the oldest
// supported one) into .tools/, skipped when already there.
import { ensureK6 } from "./lib.mjs";

const choice = process.argv[2] ?? "pinned";
if (!["pinned", "oldest", "both"].includes(choice)) {
  console.error("usage: npm run k6:install [-- pinned|oldest|both]");
  process.exit(2);
}
try {
  for (const which of choice === "both" ? ["pinned", "oldest"] : [choice]) ensureK6({ which });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
