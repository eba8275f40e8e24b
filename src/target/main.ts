// npm run target -- --port 0 [--fault NAME] …   (port 0 picks a free port; the URL is printed)
import { parseTargetArgs, USAGE, UsageError } from "./options.ts";
import { startTarget } from "./server.ts";

async function main(): Promise<void> {
  let options;
  try {
    options = parseTargetArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) console.error(`error: ${err.message}`);
      console.error(USAGE);
      process.exit(err.message ? 2 : 0);
    }
    throw err;
  }
  const target = await startTarget(options);
  const faults = [...options.faults].map(([k, v]) => (v ? `${k}=${v}` : k)).join(", ") || "none";
  // Tests and scripts read this line to find the URL: keep its shape.
  console.log(`reference server listening on ${target.url} (namespace ${options.namespace}, faults: ${faults})`);
  const stop = (): void => {
    void target.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(`reference server failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
