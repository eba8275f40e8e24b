// Samples a process and all its descendants from /proc: CPU time (user + system) and resident
// memory, summed over the tree, every `intervalMs`. Tool-neutral: k6, Node, Python and
// Artillery's worker processes are measured the same way.
import { readFileSync, readdirSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_KB = 4;

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssKb: Number(fields[21]) * PAGE_KB };
  } catch {
    return null; // the process ended between listing and reading
  }
}

function tree(rootPid) {
  const children = new Map();
  const stats = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    stats.set(Number(name), stat);
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(Number(name));
  }
  const out = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.pop();
    const stat = stats.get(pid);
    if (stat) out.push({ pid, ...stat });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * Starts sampling. CPU seconds of processes that ended are kept at their last sample, so the
 * tree's total never goes down.
 */
export function sampleTree(rootPid, intervalMs = 250) {
  const lastCpu = new Map();
  const samples = [];
  const take = () => {
    const procs = tree(rootPid);
    let rssKb = 0;
    for (const p of procs) {
      lastCpu.set(p.pid, p.cpuTicks);
      rssKb += p.rssKb;
    }
    let ticks = 0;
    for (const t of lastCpu.values()) ticks += t;
    samples.push({ at: Date.now(), cpuS: ticks / TICKS_PER_SECOND, rssKb, processes: procs.length });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return new TreeSamples(samples);
    },
  };
}

export class TreeSamples {
  constructor(samples) {
    this.samples = samples;
  }

  /** CPU seconds used by the tree at time `t`, interpolated between samples. */
  cpuAt(t) {
    const s = this.samples;
    if (s.length === 0) return 0;
    if (t <= s[0].at) return s[0].cpuS;
    for (let i = 1; i < s.length; i++) {
      if (s[i].at >= t) {
        const a = s[i - 1];
        const b = s[i];
        return a.cpuS + ((b.cpuS - a.cpuS) * (t - a.at)) / Math.max(1, b.at - a.at);
      }
    }
    return s[s.length - 1].cpuS;
  }

  cpuBetween(from, to) {
    return this.cpuAt(to) - this.cpuAt(from);
  }

  get totalCpuS() {
    return this.samples.length ? this.samples[this.samples.length - 1].cpuS : 0;
  }

  /** Highest summed RSS seen, in KiB, optionally only between `from` and `to`. */
  peakRssKb(from = -Infinity, to = Infinity) {
    let peak = 0;
    for (const s of this.samples) if (s.at >= from && s.at <= to && s.rssKb > peak) peak = s.rssKb;
    return peak;
  }
}
