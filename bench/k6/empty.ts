// k6's own VU init cost, the baseline for init-cost.ts.
const vus = Number(__ENV.VUS ?? "1000");
export const options = { scenarios: { init: { executor: "per-vu-iterations", vus, iterations: 1 } } };
export default function (): void {}
