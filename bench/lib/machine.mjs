// Facts about the machine and toolchain, recorded with every benchmark result.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";

function read(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  } catch {
    return "unavailable";
  }
}

export function machineFacts(k6) {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    k6: read(k6, ["version"]).split("\n")[0],
    python: read("python3", ["--version"]),
    taskset: read("taskset", ["--version"]) !== "unavailable",
    open_files_limit: read("sh", ["-c", "ulimit -n"]),
  };
}
