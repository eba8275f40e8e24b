// The scenario's own metrics, as k6/metrics makes them, plus what the no-data guards need: every
// sample is seen (its metric and tags), so that a threshold whose metric got no sample fails
// as "no data" instead of passing (k6 judges p(95) of nothing as 0). Same names and arguments as
// k6/metrics: `import { Counter, Rate, Trend } from "k6-socketio/kit"`.
import * as k6metrics from "k6/metrics";
import { noteCreated, observe } from "./data-guard";

type Tags = Record<string, string>;

/** A k6 metric whose samples the guards see. */
class Seen<V> {
  constructor(
    private readonly metric: { add(value: V, tags?: Tags): void },
    readonly name: string,
  ) {
    noteCreated(name);
  }
  add(value: V, tags?: Tags): void {
    this.metric.add(value, tags);
    observe(this.name, tags);
  }
}

export class Trend extends Seen<number> {
  constructor(name: string, isTime = false) {
    super(new k6metrics.Trend(name, isTime), name);
  }
}

export class Rate extends Seen<number | boolean> {
  constructor(name: string) {
    super(new k6metrics.Rate(name), name);
  }
}

export class Counter extends Seen<number> {
  constructor(name: string) {
    super(new k6metrics.Counter(name), name);
  }
}
