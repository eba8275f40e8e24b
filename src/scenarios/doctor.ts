// Diagnose before you load: one VU walks a Socket.IO connection step by step against
// TARGET_URL and prints what it sent, what came back, how long it took, and for each failure
// the likely cause and the fix. Exit 99 when a step fails; -e REPORT=path writes it as JSON.
//   k6 run -e TARGET_URL=https://game.example.com -e EVENT=queue_join \
//          -e PAYLOAD='{"player_id":"p1","elo":1200}' dist/doctor.js
// The steps run in setup(), whose result k6 hands to handleSummary(), which prints the report.
import { Counter } from "../kit/metrics";
import { type DoctorConfig, runDoctor } from "../doctor/steps";
import { redactStep, renderReport, type Report } from "../doctor/report";
import { connectionSecrets } from "../socketio/protocol/redact";
import { EnvReader, parseDurationMs } from "../kit/env";
import { normalizeEnginePath, parseTarget } from "../socketio/protocol/url";
import { idleUntilEnd } from "../kit/default-scenario";
import { matchmakingFromJson, matchmakingPresets } from "../contracts/matchmaking";
import { contractStep } from "../doctor/contract-step";
import { ContractMismatches } from "../kit/exchange";
import { selectContract } from "../kit/contract-env";
import { readProtocol } from "../kit/connection-env";

const env = new EnvReader(__ENV);
const targetUrl = env.string("TARGET_URL", "http://127.0.0.1:3000");
const target = parseTarget(targetUrl);
const authToken = env.optionalString("AUTH_TOKEN");
const headers = env.json<Record<string, string>>("HEADERS") ?? {};
const auth = authToken ? { token: authToken } : undefined;
const config: DoctorConfig = {
  targetUrl,
  target,
  namespace: env.optionalString("NAMESPACE") ?? target.namespace,
  enginePath: normalizeEnginePath(env.string("ENGINE_PATH", "/socket.io/")),
  auth,
  headers,
  event: env.optionalString("EVENT"),
  expectEvent: env.optionalString("EXPECT_EVENT"),
  payload: env.json("PAYLOAD"),
  stepTimeoutMs: env.int("STEP_TIMEOUT_MS", 10_000, 100, 600_000),
  ackTimeoutMs: env.int("ACK_TIMEOUT_MS", 5_000, 1, 600_000),
  heartbeatMaxMs: env.int("HEARTBEAT_MAX_MS", 60_000, 100, 3_600_000),
  idleHoldMs: parseDurationMs(env.duration("IDLE_HOLD", "0s", 0)) ?? 0,
  stickyRequests: env.int("STICKY_REQUESTS", 4, 1, 100),
  // Redacted from every step: the token, secret-looking headers (Authorization, X-Api-Key, Cookie…) and query values.
  secrets: connectionSecrets({ auth, headers, target }),
};
// The raw steps speak Engine.IO v4; the contract step connects with the library, under -e PROTOCOL.
const protocol = readProtocol(env);
const reportPath = env.optionalString("REPORT");
// With -e CONTRACT or CONTRACT_FILE, the doctor also walks one step of the matchmaking flow the contract's way.
const contract = env.optionalString("CONTRACT") || env.optionalString("CONTRACT_FILE") ? selectContract(env, "doctor (matchmaking flow)", matchmakingPresets, matchmakingFromJson) : undefined;

// setup() must outlive every step's bound.
const budgetMs = config.stepTimeoutMs * 8 + config.ackTimeoutMs + config.heartbeatMaxMs + config.idleHoldMs + 10_000;

export const options = {
  scenarios: { doctor: { executor: "shared-iterations", vus: 1, iterations: 1, exec: "idle" } },
  setupTimeout: `${Math.ceil(budgetMs / 1000)}s`,
  thresholds: { doctor_failed_steps: ["count==0"] },
  systemTags: ["status", "method", "name", "error_code", "scenario"],
};

const failedSteps = new Counter("doctor_failed_steps");
const mismatches = contract ? new ContractMismatches("doctor", contract.name, new Counter("doctor_contract_mismatches")) : undefined;

export async function setup(): Promise<Report> {
  const report = runDoctor(config);
  if (contract) {
    const options = { auth: config.auth, headers: config.headers, path: config.enginePath, namespace: config.namespace, protocol, connectTimeout: config.stepTimeoutMs, ackTimeout: config.ackTimeoutMs };
    const step = redactStep(await contractStep(contract, targetUrl, options, config.ackTimeoutMs, mismatches!), config.secrets);
    report.steps.push(step);
    if (step.status === "fail") report.failed += 1;
  }
  failedSteps.add(report.failed);
  return report;
}

export function idle(): void {}
// `k6 run --vus/--duration` runs only `default`: the work is in setup(), so it waits (docs/k6-versions.md).
export default idleUntilEnd;

export function handleSummary(data: { setup_data?: Report }): Record<string, string> {
  const report = data.setup_data;
  if (!report || !Array.isArray(report.steps)) {
    return { stdout: "\nk6-socketio doctor: the steps did not complete (see the error above)\n" };
  }
  const out: Record<string, string> = { stdout: renderReport(report) };
  if (reportPath) out[reportPath] = `${JSON.stringify(report, null, 2)}\n`;
  return out;
}
