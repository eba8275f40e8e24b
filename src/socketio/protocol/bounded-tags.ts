// Metric tag values that come from the wire (event names sent by the server) must not grow
// without bound: each distinct value is a new time series in k6 and in every output.

export const OTHER_TAG = "_other";

export class BoundedTagValues {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit = 100,
    private readonly maxLength = 64,
  ) {}

  /** The value itself while fewer than `limit` distinct values were seen, else `_other`. */
  get(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit || value.length > this.maxLength) return OTHER_TAG;
    this.seen.add(value);
    return value;
  }
}
