// VU init cost of a scenario-sized bundle: the whole library and the scenario kit, kept whole
// (no tree shaking) and an iteration that does nothing. bench/run.mjs times 1,000 VUs of this
// against empty.ts.
import * as library from "k6-socketio";
import * as thresholds from "../../src/kit/thresholds";
import * as summary from "../../src/kit/summary";
import * as connectionEnv from "../../src/kit/connection-env";
import { scenarioOptions } from "../../src/kit/scenario-options";

const vus = Number(__ENV.VUS ?? "1000");
export const options = { ...scenarioOptions({ init: { executor: "per-vu-iterations", vus, iterations: 1 } }, {}) };
const modules: Record<string, object> = { library, thresholds, summary, connectionEnv };

export default function (): void {
  // Touch every export, so the bundle keeps them all, as a real scenario's bundle does.
  for (const [name, m] of Object.entries(modules)) if (Object.keys(m).length === 0) throw new Error(`${name} is empty`);
}
