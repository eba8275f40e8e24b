// npm run k6 -- <k6 arguments>: the project's pinned k6 (built on first use), e.g.
//   npm run k6 -- run -e TARGET_URL=https://game.example.com dist/matchmaking.js
import { spawnSync } from "node:child_process";
import { ensureK6 } from "./lib.mjs";

try {
  const k6 = ensureK6({ quiet: true });
  const r = spawnSync(k6, process.argv.slice(2), { stdio: "inherit" });
  process.exit(r.status ?? 1);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
