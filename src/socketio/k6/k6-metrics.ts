// The library's k6 metrics. Created at import time, which is k6's init context.
import { Counter, Rate, Trend } from "k6/metrics";
import { BoundedTagValues, OTHER_TAG } from "../protocol/bounded-tags";
import { GENERATOR_OVERLOADED } from "../protocol/generator-lag";
import type { PacketKind, SocketMetrics } from "../protocol/metrics";
import { ProgressWatch } from "../protocol/progress-watch";

const connectDuration = new Trend("socketio_connect_duration", true);
const connectSuccess = new Rate("socketio_connect_success");
const connectErrors = new Counter("socketio_connect_errors");
const ackDuration = new Trend("socketio_ack_duration", true);
const ackTimeouts = new Counter("socketio_ack_timeouts");
const acksLate = new Counter("socketio_acks_late");
const waitTimeouts = new Counter("socketio_wait_timeouts");
const messagesSent = new Counter("socketio_messages_sent");
const messagesReceived = new Counter("socketio_messages_received");
const decodeErrors = new Counter("socketio_decode_errors");
const disconnects = new Counter("socketio_disconnects");
const reconnectAttempts = new Counter("socketio_reconnect_attempts");
const reconnects = new Counter("socketio_reconnects");
const reconnectFailures = new Counter("socketio_reconnect_failures");
const reconnectDuration = new Trend("socketio_reconnect_duration", true);
const recovered = new Rate("socketio_recovered");
const replayedEvents = new Counter("socketio_replayed_events");
const generatorLag = new Trend("socketio_generator_lag", true);
const stalls = new Counter("socketio_stalls");

/** This VU's progress (connects, packets received) against what it awaits: the stall watch, checked by k6/vu-probe.ts. */
export const progress = new ProgressWatch(10_000);
const clock = (): number => Date.now();

/** Called with each sample's metric and tags when set (the kit's no-data guards); one check per sample otherwise. */
let observer: ((metric: string, tags: Record<string, string> | undefined) => void) | null = null;

/** Sees every sample the library records (metric name and tags), e.g. to tell a threshold with no data; null stops it. */
export function observeSamples(fn: ((metric: string, tags: Record<string, string> | undefined) => void) | null): void {
  observer = fn;
}


/** Event names come from the server too; past 100 distinct names they are tagged `_other`. */
const eventTags = new BoundedTagValues(100);
/** One tag set (kind, event): its tag object, made once and reused by every sample, and its message counts not yet recorded. */
interface Series {
  readonly tags: Record<string, string>;
  sent: number;
  received: number;
}

// One map per kind, so that a packet finds its series with one lookup: a key string or a tag
// object built per packet shows in k6's interpreter.
const seriesByKind = new Map<string, Map<string | undefined, Series>>();
const eventSeries = new Map<string | undefined, Series>();
const ackSeries = new Map<string | undefined, Series>();
seriesByKind.set("event", eventSeries);
seriesByKind.set("ack", ackSeries);

function seriesOf(kind: string, event: string | undefined): Series {
  const byEvent = kind === "event" ? eventSeries : kind === "ack" ? ackSeries : kindMap(kind);
  const found = byEvent.get(event);
  return found === undefined ? newSeries(byEvent, kind, event) : found;
}

function kindMap(kind: string): Map<string | undefined, Series> {
  let byEvent = seriesByKind.get(kind);
  if (!byEvent) seriesByKind.set(kind, (byEvent = new Map()));
  return byEvent;
}

function newSeries(byEvent: Map<string | undefined, Series>, kind: string, event: string | undefined): Series {
  const ev = event === undefined ? "" : eventTags.get(event);
  // Past the bound, every new name shares the one `_other` series of its kind (not cached by
  // name, so the cache stays bounded; one series, so the message counts batch together).
  const series = byEvent.get(ev) ?? { tags: ev === "" ? { type: kind } : { type: kind, event: ev }, sent: 0, received: 0 };
  byEvent.set(ev === OTHER_TAG ? OTHER_TAG : event, series);
  return series;
}

function tags(kind: string, event: string | undefined): Record<string, string> {
  return seriesOf(kind, event).tags;
}

// socketio_messages_sent / _received are summed here and recorded as one sample per tag set,
// at most once a second per VU and at the end of every session: a k6 sample per packet cost
// more CPU than the rest of the packet's handling. Totals are exact; only their timestamps are
// coarser (an interrupted VU can leave up to a second, or 16 packets, of counts unrecorded).
const COUNT_FLUSH_MS = 1000;
/** The clock is read every this many counts, not on each. */
const COUNTS_PER_CLOCK_READ = 16;
/** Series with counts not yet recorded. */
const unflushed: Series[] = [];
let lastFlush = Date.now();
let countsSinceClockRead = 0;

function countSent(series: Series): void {
  if (series.sent === 0 && series.received === 0) unflushed.push(series);
  series.sent++;
  if (++countsSinceClockRead === COUNTS_PER_CLOCK_READ) flushIfDue();
}

function countReceived(series: Series): void {
  if (series.sent === 0 && series.received === 0) unflushed.push(series);
  series.received++;
  if (++countsSinceClockRead === COUNTS_PER_CLOCK_READ) flushIfDue();
}

function flushIfDue(): void {
  countsSinceClockRead = 0;
  if (Date.now() - lastFlush >= COUNT_FLUSH_MS) flushMessageCounts();
}

/** Records the summed message counts (called at the end of each session, and once a second). */
export function flushMessageCounts(): void {
  lastFlush = Date.now();
  for (let i = 0; i < unflushed.length; i++) {
    const series = unflushed[i]!;
    if (series.sent > 0) record(messagesSent, series.sent, series.tags);
    if (series.received > 0) record(messagesReceived, series.received, series.tags);
    series.sent = 0;
    series.received = 0;
  }
  unflushed.length = 0;
}

/** The library's metrics, for tools that need to know which names it records. */
export const LIBRARY_METRICS: readonly string[] = [
  connectDuration, connectSuccess, connectErrors, ackDuration, ackTimeouts, acksLate, waitTimeouts, messagesSent, messagesReceived,
  decodeErrors, disconnects, reconnectAttempts, reconnects, reconnectFailures, reconnectDuration, recovered, replayedEvents,
  generatorLag, stalls,
].map((m) => m.name);

/** One measurement of the generator's event-loop lag (ms). */
export function recordGeneratorLag(ms: number): void {
  record(generatorLag, ms);
}

/** A stall: the VU waited stallAfter ms for an answer and got nothing back. */
export function recordStall(): void {
  record(stalls, 1);
}

/** Records one sample, and shows it to the observer when there is one. */
function record(metric: Trend | Rate | Counter, value: number | boolean, t?: Record<string, string>): void {
  metric.add(value as number, t);
  if (observer) observer(metric.name, t);
}

export const k6Metrics: SocketMetrics = {
  connected(durationMs) {
    progress.progressed();
    record(connectDuration, durationMs);
    record(connectSuccess, true);
  },
  connectFailed(reason) {
    record(connectSuccess, false);
    record(connectErrors, 1, { reason });
  },
  ackReceived(event, durationMs) {
    // One series for both: the ack's latency sample and its count among the packets received.
    // Its series found in place and its sample recorded without record(): it runs once per ack.
    progress.progressed();
    const series = ackSeries.get(event) ?? newSeries(ackSeries, "ack", event);
    countReceived(series);
    ackDuration.add(durationMs, series.tags);
    if (observer) observer(ackDuration.name, series.tags);
  },
  ackTimedOut(event, overloaded) {
    // Rare (a starved generator): a tag object of its own, made on the spot.
    record(ackTimeouts, 1, overloaded ? { ...tags("ack", event), reason: GENERATOR_OVERLOADED } : tags("ack", event));
  },
  waitTimedOut(event) {
    record(waitTimeouts, 1, tags("wait", event));
  },
  ackLate(event) {
    record(acksLate, 1, tags("ack", event));
  },
  packetSent(kind: PacketKind, event?: string) {
    // Written out for events, nearly all packets sent (every emit passes here).
    const series = kind === "event" ? (eventSeries.get(event) ?? newSeries(eventSeries, kind, event)) : seriesOf(kind, event);
    countSent(series);
  },
  packetReceived(kind: PacketKind, event?: string) {
    progress.progressed();
    // Written out for events, nearly all packets received (a broadcast passes here).
    const series = kind === "event" ? (eventSeries.get(event) ?? newSeries(eventSeries, kind, event)) : seriesOf(kind, event);
    countReceived(series);
  },
  decodeError(reason) {
    record(decodeErrors, 1, { reason });
  },
  disconnected(reason) {
    record(disconnects, 1, { reason });
  },
  reconnectAttempt() {
    record(reconnectAttempts, 1);
  },
  reconnected(durationMs, wasRecovered, replayed) {
    record(reconnects, 1);
    record(reconnectDuration, durationMs);
    record(recovered, wasRecovered);
    record(replayedEvents, replayed);
  },
  reconnectFailed() {
    record(reconnectFailures, 1);
  },
  expecting() {
    progress.expecting(clock);
  },
};

/**
 * Makes the zero-valued counters appear in the summary, so that `count==0` thresholds are
 * evaluated against a real 0 and a run that never hit an error still reports it.
 */
export function touchLibraryCounters(): void {
  for (const c of [connectErrors, ackTimeouts, acksLate, waitTimeouts, decodeErrors, disconnects, stalls]) c.add(0);
}
