"""Locust adapter of the side-by-side benchmark (bench/README.md); started by launch.py.

One Locust process (gevent), one Locust user per Socket.IO connection: each user holds a
python-socketio ``socketio.Client`` (WebSocket transport only, no reconnection). Locust's gevent
monkey-patching (done when ``locust`` is imported, before this file) makes python-socketio's
threads greenlets and websocket-client's sockets cooperative, so the stock synchronous client works
unchanged (no async_mode to pick on the client side).

Ramp: launch.py spawns the N users at N / (BENCH_RAMP_MS / 1000) users/s; Locust dispatches them
in batches of floor(rate) once a second, and on_start spreads each batch over its second (user i
connects at first-user-start + i * RAMP/N), so connections come up evenly rather than in bursts.
`ramp_ms_after_launch` in the result says when the first and the last connect happened.

Measurement (window = [BENCH_START_AT, BENCH_END_AT), epoch ms from time.time()):
  connect_p95_ms  time.perf_counter() around sio.connect(..., wait=True): WebSocket handshake +
                  Engine.IO open + namespace connect
  acks            sio.call("echo", seq, timeout=5) in a closed loop (wait_time constant(0)) that
                  returned inside the window; latency = perf_counter() around the call; exact
                  nearest-rank percentiles. Every call is also reported to Locust's own stats
                  (events.request), as a normal Locust test would.
  messages        `broadcast` events received inside the window; latency = time.time()*1000 -
                  payload["sent_at"]
  disconnects     `disconnect` before BENCH_END_AT that this client did not cause
A greenlet started on Locust's init event writes BENCH_OUT at BENCH_END_AT and asks Locust to quit;
test_stop / quitting listeners write it too if Locust stops first (e.g. --run-time).
"""
import json
import math
import os
import time
from importlib import metadata

import gevent
from locust import User, constant, events, task

import socketio

URL = os.environ.get("BENCH_URL", "")
WORKLOAD = os.environ.get("BENCH_WORKLOAD", "")
N = int(os.environ.get("BENCH_CONNECTIONS", "0"))
START_AT = int(os.environ.get("BENCH_START_AT", "0"))
END_AT = int(os.environ.get("BENCH_END_AT", "0"))
RAMP_MS = float(os.environ.get("BENCH_RAMP_MS", "0") or 0)
LAUNCHED_AT = float(os.environ.get("BENCH_LOCUST_LAUNCHED_AT", "0") or 0)
OUT = os.environ.get("BENCH_OUT", "")
ACK_TIMEOUT_S = 5
CONNECT_WAIT_S = 10


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


VERSIONS = {d: _version(d) for d in ("locust", "python-socketio", "python-engineio", "websocket-client", "gevent")}


def now_ms():
    return time.time() * 1000.0


class State:
    started = 0          # users whose on_start began connecting
    ramp_t0 = None       # when the first user started (epoch ms)
    first_connect = None # epoch ms of the first / last namespace connect
    last_connect = None
    connected = 0
    connect_failures = 0
    disconnects = 0
    acks = 0
    ack_timeouts = 0
    messages = 0
    connect_ms = []
    ack_ms = []
    fanout_ms = []
    errors = {}
    closing = False
    written = False


def error(msg):
    State.errors[msg] = State.errors.get(msg, 0) + 1


def pct(sorted_values, p):
    """Nearest-rank percentile, 0 when empty, rounded to 0.001 ms."""
    if not sorted_values:
        return 0
    i = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return round(sorted_values[i], 3)


def write_result(note=None):
    if State.written or not OUT:
        return
    State.written = True
    State.closing = True
    pending = State.started - State.connected - State.connect_failures
    failures = State.connect_failures + max(0, pending) + max(0, N - State.started)
    if pending > 0:
        error("connect: still pending at BENCH_END_AT")
    if State.started < N:
        error(f"only {State.started} of {N} users were spawned before BENCH_END_AT")
    if note:
        error(note)
    ack = sorted(State.ack_ms)
    fan = sorted(State.fanout_ms)
    result = {
        "tool": "locust",
        "version": VERSIONS["locust"],
        "versions": VERSIONS,
        "workload": WORKLOAD,
        "connected": State.connected,
        "connect_failures": failures,
        "connect_p95_ms": pct(sorted(State.connect_ms), 95),
        "disconnects": State.disconnects,
        "acks": State.acks,
        "ack_p50_ms": pct(ack, 50),
        "ack_p95_ms": pct(ack, 95),
        "ack_p99_ms": pct(ack, 99),
        "messages": State.messages,
        "fanout_p50_ms": pct(fan, 50),
        "fanout_p95_ms": pct(fan, 95),
        "ack_timeouts": State.ack_timeouts,
        "ramp_ms_after_launch": (
            {"first": round(State.first_connect - LAUNCHED_AT), "last": round(State.last_connect - LAUNCHED_AT)}
            if LAUNCHED_AT and State.first_connect is not None else None
        ),
        "errors": [f"{m} (x{c})" if c > 1 else m for m, c in State.errors.items()],
    }
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(tmp, OUT)


CLIENTS = []


def _end_of_window(environment):
    gevent.sleep(max(0.0, (END_AT - now_ms()) / 1000.0))
    write_result()
    # Close every connection (in parallel, bounded) so the server sees clean client disconnects,
    # then stop Locust.
    gevent.joinall([gevent.spawn(_disconnect, c) for c in CLIENTS], timeout=2)
    if environment.runner is not None:
        environment.runner.quit()


def _disconnect(sio):
    try:
        sio.disconnect()
    except Exception:
        pass


@events.init.add_listener
def _on_init(environment, **_kwargs):
    gevent.spawn(_end_of_window, environment)


@events.test_stop.add_listener
def _on_test_stop(**_kwargs):
    write_result("locust stopped before BENCH_END_AT" if now_ms() < END_AT else None)


@events.quitting.add_listener
def _on_quitting(**_kwargs):
    write_result("locust quit before BENCH_END_AT" if now_ms() < END_AT else None)


class SocketIOUser(User):
    wait_time = constant(0)

    def on_start(self):
        self.seq = 0
        self.sio = None
        if State.closing:
            return
        # Locust dispatches floor(spawn rate) users at once every second; spread those over the
        # second (user i starts at ramp_t0 + i * RAMP/N) so the connections ramp evenly.
        index = State.started
        State.started += 1
        if State.ramp_t0 is None:
            State.ramp_t0 = now_ms()
        slot = State.ramp_t0 + index * (RAMP_MS / N if N else 0)
        delay = (slot - now_ms()) / 1000.0
        if delay > 0:
            gevent.sleep(delay)
        if State.closing:
            State.started -= 1
            return
        sio = socketio.Client(reconnection=False, handle_sigint=False)
        CLIENTS.append(sio)

        @sio.on("disconnect")
        def _on_disconnect(*args):
            if not State.closing and now_ms() < END_AT:
                State.disconnects += 1
                error(f"disconnect: {args[0] if args else 'unknown'}")

        if WORKLOAD == "fanout":
            @sio.on("broadcast")
            def _on_broadcast(payload):
                t = now_ms()
                if START_AT <= t < END_AT:
                    State.messages += 1
                    State.fanout_ms.append(t - float(payload["sent_at"]))

        t0 = time.perf_counter()
        try:
            sio.connect(URL, transports=["websocket"], wait=True, wait_timeout=CONNECT_WAIT_S)
        except Exception as e:  # socketio.exceptions.ConnectionError and anything below it
            if not State.closing:
                State.connect_failures += 1
                error(f"connect: {type(e).__name__}: {e}")
            return
        if State.closing:
            return
        State.connected += 1
        State.connect_ms.append((time.perf_counter() - t0) * 1000.0)
        State.last_connect = now_ms()
        if State.first_connect is None:
            State.first_connect = State.last_connect
        self.sio = sio

    def on_stop(self):
        if self.sio is not None:
            _disconnect(self.sio)

    def _sleep_until(self, deadline_ms):
        # In slices of at most 1 s, so that a stop is never held up for long.
        gevent.sleep(min(1.0, max(0.0, (deadline_ms - now_ms()) / 1000.0)))

    @task
    def work(self):
        t = now_ms()
        if WORKLOAD != "ack" or self.sio is None or not self.sio.connected or t >= END_AT:
            self._sleep_until(END_AT if t < END_AT else t + 1000)
            return
        if t < START_AT:
            self._sleep_until(START_AT)
            return
        self.seq += 1
        t0 = time.perf_counter()
        exc = None
        try:
            self.sio.call("echo", self.seq, timeout=ACK_TIMEOUT_S)
        except Exception as e:  # TimeoutError, BadNamespaceError, DisconnectedError
            exc = e
        elapsed_ms = (time.perf_counter() - t0) * 1000.0
        done = now_ms()
        in_window = START_AT <= done < END_AT
        if exc is None:
            if in_window:
                State.acks += 1
                State.ack_ms.append(elapsed_ms)
        elif in_window and not State.closing:
            State.ack_timeouts += 1
            error(f"ack: {type(exc).__name__}: {exc}")
        self.environment.events.request.fire(
            request_type="socketio", name="echo", response_time=elapsed_ms,
            response_length=0, exception=exc, context={},
        )
