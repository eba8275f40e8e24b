// VU init cost of a scenario-sized bundle: the library and the kit, imported and touched, and
// an iteration that does nothing. bench/run.mjs times 1,000 VUs of this against empty.ts.
import { resolveConnectOptions } from "k6-socketio";
import { scenarioOptions } from "../../src/kit/scenario-options";

const vus = Number(__ENV.VUS ?? "1000");
export const options = { ...scenarioOptions({ init: { executor: "per-vu-iterations", vus, iterations: 1 } }, {}) };
const resolved = resolveConnectOptions("http://127.0.0.1:1", {});

export default function (): void {
  if (!resolved.target) throw new Error("unreachable");
}
