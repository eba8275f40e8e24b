// The scenario's own metrics, as k6/metrics makes them, plus what the no-data guards need: every
// sample is seen (its metric and tags), so that a threshold whose metric got no sample fails
// as "no data" instead of passing (k6 judges p(95) of nothing as 0). Same names and arguments as
// k6/metrics: `import { Counter, Rate, Trend } from "k6-socketio/kit"`.
import * as k6metrics from "k6/metrics";
import { noteCreated, observe } from "./data-guard";

type Tags = Record<string, string>;

export class Trend {
  private readonly metric: k6metrics.Trend;
  constructor(
    readonly name: string,
    isTime = false,
  ) {
    this.metric = new k6metrics.Trend(name, isTime);
    noteCreated(name);
  }
  add(value: number, tags?: Tags): void {
    this.metric.add(value, tags);
    observe(this.name, tags);
  }
}

export class Rate {
  private readonly metric: k6metrics.Rate;
  constructor(readonly name: string) {
    this.metric = new k6metrics.Rate(name);
    noteCreated(name);
  }
  add(value: number | boolean, tags?: Tags): void {
    this.metric.add(value, tags);
    observe(this.name, tags);
  }
}

export class Counter {
  private readonly metric: k6metrics.Counter;
  constructor(readonly name: string) {
    this.metric = new k6metrics.Counter(name);
    noteCreated(name);
  }
  add(value: number, tags?: Tags): void {
    this.metric.add(value, tags);
    observe(this.name, tags);
  }
}
