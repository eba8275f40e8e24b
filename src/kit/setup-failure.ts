// A setup() step that cannot go on (the host's login refused, room creation answered 404): one
// line naming the step, then k6's abort, so the run exits 108 with that line instead of 255
// with a JavaScript stack. docs/ci.md lists the exit codes.
import exec from "k6/execution";

export class SetupFailure extends Error {
  override name = "SetupFailure";
}

/** Stops the test from setup(): `scenario: setup step "<step>" failed: <why>`. Never returns. */
export function failSetup(scenario: string, step: string, why: string): never {
  const line = `${scenario}: setup step "${step}" failed: ${why}. The test stopped before any load (exit 108)`;
  console.error(line);
  exec.test.abort(line);
  throw new SetupFailure(line); // not reached: abort() ends the test
}
