"""Launcher of the Locust adapter (bench/README.md): turns the contract's BENCH_* variables into a
headless, single-process Locust command line and execs it (same PID, so the runner's pinning and
process-tree sampling see Locust itself).

  N users spawned at N / (BENCH_RAMP_MS / 1000) users/s (Locust dispatches them in batches of
  floor(rate) once a second; the locustfile spreads each batch over its second), --run-time
  bounded by BENCH_END_AT (+3 s;
  the locustfile writes BENCH_OUT and quits at BENCH_END_AT itself), --stop-timeout 2 s.
"""
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHED_AT = round(time.time() * 1000)


def fail(msg):
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "w") as f:
            json.dump({"tool": "locust", "version": "", "errors": [msg]}, f)
            f.write("\n")
    print(msg, file=sys.stderr)
    sys.exit(2)


def main():
    env = os.environ
    try:
        n = int(env["BENCH_CONNECTIONS"])
        ramp_ms = float(env.get("BENCH_RAMP_MS") or 0)
        end_at = int(env["BENCH_END_AT"])
        int(env["BENCH_START_AT"])
        env["BENCH_URL"]
        env["BENCH_OUT"]
    except (KeyError, ValueError) as e:
        fail(f"bad or missing contract variable: {e}")
        return
    if n <= 0:
        fail("BENCH_CONNECTIONS must be > 0")
    if env.get("BENCH_WORKLOAD") not in ("hold", "ack", "fanout"):
        fail(f"unknown BENCH_WORKLOAD {env.get('BENCH_WORKLOAD')!r}")

    # Spread the N users evenly over the ramp; a zero ramp means "as fast as Locust spawns".
    spawn_rate = n / (ramp_ms / 1000.0) if ramp_ms > 0 else float(n) * 1000.0
    run_time_s = max(1, math.ceil((end_at - time.time() * 1000) / 1000.0) + 3)
    args = [
        sys.executable, "-m", "locust",
        "-f", os.path.join(HERE, "locustfile.py"),
        "--headless",
        "--users", str(n),
        "--spawn-rate", repr(spawn_rate),
        "--run-time", f"{run_time_s}s",
        "--stop-timeout", "2",
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]
    os.chdir(HERE)
    env["BENCH_LOCUST_LAUNCHED_AT"] = str(LAUNCHED_AT)
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()
