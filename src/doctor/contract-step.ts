// The doctor's last step with -e CONTRACT / CONTRACT_FILE: one step of the matchmaking flow,
// spoken the contract's way, through the same exchange() the scenario uses: join the queue as
// one player, check that the server's reply fits one of the contract's classes, then leave.
import type { MatchmakingContract } from "../contracts/matchmaking";
import { type ContractMismatches, exchange } from "../kit/exchange";
import { type ConnectOptions, io } from "../socketio";
import type { Step } from "./report";

export async function contractStep(contract: MatchmakingContract, url: string, options: ConnectOptions, timeoutMs: number, mismatches: ContractMismatches): Promise<Step> {
  const player = { id: `doctor-${Date.now().toString(36)}`, elo: 1200 };
  const step: Step = {
    id: "contract",
    title: `Contract "${contract.name}": ${contract.join.event} is answered in a way the contract knows`,
    status: "fail",
    sent: `${contract.join.event} ${JSON.stringify(contract.join.args({ player }))}`,
  };
  const socket = await io(url, options);
  if (!socket.connected) {
    return { ...step, received: `no connection: ${socket.connectError?.reason}: ${socket.connectError?.message}`, cause: "the namespace connect failed (see the steps above)", fix: "fix the connection first" };
  }
  const r = await exchange(socket, contract.join, { player }, timeoutMs, mismatches);
  // Leave unless the server refused us: after an unknown reply we may be queued all the same.
  if (r.kind === "mismatch" || (r.kind === "class" && r.cls === "accepted")) {
    const leaveArgs = contract.leave.args({ player });
    if (contract.leave.reply === "ack") await socket.timeout(timeoutMs).request(contract.leave.event, ...leaveArgs);
    else socket.emit(contract.leave.event, ...leaveArgs);
  }
  socket.disconnect();
  if (r.kind !== "class" && r.kind !== "mismatch") {
    const how = contract.join.reply && contract.join.reply !== "ack" ? `none of the events ${contract.join.reply.events.join(", ")}` : "no ack";
    return {
      ...step,
      ms: r.elapsedMs,
      received: r.kind === "timeout" ? `${how} within ${timeoutMs} ms` : "the connection ended before the reply",
      cause: `the server did not answer ${contract.join.event} the way contract "${contract.name}" expects (${contract.join.expects})`,
      fix: "check the event name, and whether the server answers with an ack or with an event: set the contract's join.reply accordingly",
    };
  }
  const received = `${r.reply.event ?? "ack"} ${JSON.stringify(r.reply.args)}`;
  if (r.kind === "class") return { ...step, status: "pass", ms: r.elapsedMs, received: `${received}  → class "${r.cls}"` };
  return {
    ...step,
    ms: r.elapsedMs,
    received,
    cause: `this reply fits none of contract "${contract.name}"'s classes: it expects ${contract.join.expects}`,
    fix: "describe this reply in the contract (a JSON contract's join.classes, or a TypeScript classify), or pick the contract that fits this server (-e CONTRACT=…)",
  };
}
