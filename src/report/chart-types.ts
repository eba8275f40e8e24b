// A chart of the report, as the Node side builds it and the browser viewer draws it. No imports:
// the viewer (tsconfig.viewer.json, DOM only) shares it.
export interface Series {
  label: string;
  values: (number | null)[];
}

export interface Chart {
  id: string;
  title: string;
  /** What the y axis counts: "ms", "/s", "%", "" */
  unit: string;
  series: Series[];
  /** A threshold limit to draw as a line, in the chart's unit. */
  limit?: { value: number; label: string };
  /** A threshold on this chart's metric failed. */
  failed?: boolean;
  /** Set instead of data when nothing was recorded. */
  noData?: string;
  /** Cumulative counts rather than per-bucket values. */
  cumulative?: boolean;
}
