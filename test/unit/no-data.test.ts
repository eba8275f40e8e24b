// The no-data guards' pure parts: threshold keys, guard names, and how the verdict reports a
// guarded threshold whose metric got no sample.
import assert from "node:assert/strict";
import { test } from "node:test";
import { thresholdResults } from "../../src/kit/summary/verdict";
import { guardedId, guardId, parseThresholdKey } from "../../src/kit/threshold-key";

test("threshold keys parse into the metric and its tag filter; guard ids are valid tag values", () => {
  assert.deepEqual(parseThresholdKey("matchmaking_matched"), { metric: "matchmaking_matched", filter: [] });
  assert.deepEqual(parseThresholdKey("socketio_ack_duration{event:queue_join, type:ack}"), { metric: "socketio_ack_duration", filter: [["event", "queue_join"], ["type", "ack"]] });
  assert.equal(guardId("socketio_ack_duration{event:queue_join}"), "socketio_ack_duration.event=queue_join");
  assert.equal(guardedId("k6socketio_samples{threshold:socketio_ack_duration.event=queue_join}"), "socketio_ack_duration.event=queue_join");
  assert.equal(guardedId("socketio_ack_duration{event:queue_join}"), undefined);
});

test("a failed guard marks its threshold as failed with no data, even where k6 judged 0 as held; guards are not listed", () => {
  const data = {
    metrics: {
      matchmaking_match_duration: { type: "trend" as const, contains: "time" as const, values: { "p(95)": 0 }, thresholds: { "p(95)<3000": { ok: true } } },
      matchmaking_join_duration: { type: "trend" as const, contains: "time" as const, values: { "p(95)": 12 }, thresholds: { "p(95)<250": { ok: true } } },
      "k6socketio_samples{threshold:matchmaking_match_duration}": { type: "counter" as const, values: { count: 0 }, thresholds: { "count>0": { ok: false } } },
      "k6socketio_samples{threshold:matchmaking_join_duration}": { type: "counter" as const, values: { count: 3 }, thresholds: { "count>0": { ok: true } } },
      "k6socketio_samples{threshold:socketio_ack_duration.event=add_usr}": { type: "counter" as const, values: { count: 0 }, thresholds: { "count>0": { ok: false } } },
    },
  };
  const results = thresholdResults(data);
  assert.deepEqual(
    results.map((r) => [r.metric, r.ok, r.noData ?? false]),
    [
      ["matchmaking_join_duration", true, false],
      ["matchmaking_match_duration", false, true],
      ["socketio_ack_duration.event=add_usr", false, true],
    ],
  );
  assert.equal(results[1]!.observed, undefined, "no value is shown for no data");
  // A threshold this run cannot judge stays not judged, not "no data".
  const skipped = thresholdResults(data, new Map([["matchmaking_match_duration", "scenario x did not run"]]));
  assert.equal(skipped.find((r) => r.metric === "matchmaking_match_duration")?.noData, undefined);
});
