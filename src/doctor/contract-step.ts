// The doctor's last step with -e CONTRACT / CONTRACT_FILE: one step of the matchmaking flow,
// spoken the contract's way: join the queue as one player and check that the server's reply
// fits one of the contract's classes, then leave. A reply that fits none is shown with what the
// contract expects, so that "every step passed" also means "the scenario will understand it".
import type { MatchmakingContract } from "../contracts/matchmaking";
import { type ConnectOptions, io } from "../socketio";
import type { Step } from "./report";

export async function contractStep(contract: MatchmakingContract, url: string, options: ConnectOptions, timeoutMs: number): Promise<Step> {
  const player = { id: `doctor-${Date.now().toString(36)}`, elo: 1200 };
  const args = contract.join.args({ player });
  const step: Step = {
    id: "contract",
    title: `Contract "${contract.name}": ${contract.join.event} is answered in a way the contract knows`,
    status: "fail",
    sent: `${contract.join.event} ${JSON.stringify(args)}`,
  };
  const socket = await io(url, options);
  if (!socket.connected) {
    return { ...step, received: `no connection: ${socket.connectError?.reason}: ${socket.connectError?.message}`, cause: "the namespace connect failed (see the steps above)", fix: "fix the connection first" };
  }
  const started = Date.now();
  let reply: { event: string | undefined; args: unknown[] } | undefined;
  if (contract.join.reply === undefined || contract.join.reply === "ack") {
    const o = await socket.timeout(timeoutMs).request(contract.join.event, ...args);
    if (o.ok) reply = { event: undefined, args: o.args };
  } else {
    const wait = socket.waitFor(contract.join.reply.events, { timeout: timeoutMs });
    socket.emit(contract.join.event, ...args);
    const o = await wait;
    if (o.ok) reply = { event: o.event, args: o.args };
  }
  const ms = Date.now() - started;
  if (!reply) {
    socket.disconnect();
    const how = contract.join.reply && contract.join.reply !== "ack" ? `none of the events ${contract.join.reply.events.join(", ")}` : "no ack";
    return {
      ...step,
      ms,
      received: `${how} within ${timeoutMs} ms`,
      cause: `the server did not answer ${contract.join.event} the way contract "${contract.name}" expects (${contract.join.expects})`,
      fix: "check the event name, and whether the server answers with an ack or with an event: set the contract's join.reply accordingly",
    };
  }
  let cls: string | undefined;
  try {
    cls = contract.join.classify({ event: reply.event, args: reply.args, data: reply.args[0] }, { player });
  } catch (err) {
    cls = undefined;
    step.cause = `the contract's classifier threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  const received = `${reply.event ?? "ack"} ${JSON.stringify(reply.args)}`;
  // Leave unless the server refused us: after an unknown reply we may be queued all the same.
  if (cls === "accepted" || cls === undefined) {
    const leaveArgs = contract.leave.args({ player });
    if (contract.leave.reply === "ack") await socket.timeout(timeoutMs).request(contract.leave.event, ...leaveArgs);
    else socket.emit(contract.leave.event, ...leaveArgs);
  }
  socket.disconnect();
  if (cls !== undefined) return { ...step, status: "pass", ms, received: `${received}  → class "${cls}"` };
  return {
    ...step,
    ms,
    received,
    cause: step.cause ?? `this reply fits none of contract "${contract.name}"'s classes: it expects ${contract.join.expects}`,
    fix: "describe this reply in the contract (a JSON contract's join.classes, or a TypeScript classify), or pick the contract that fits this server (-e CONTRACT=…)",
  };
}
