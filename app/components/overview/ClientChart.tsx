import { Box } from "@shopify/polaris";
import { lazy, Suspense, useEffect, useState } from "react";
import type { ChartProps } from "./charts.client";

const PointsFlowChart = lazy(() => import("./charts.client").then((m) => ({ default: m.PointsFlowChart })));
const RevenueChart = lazy(() => import("./charts.client").then((m) => ({ default: m.RevenueChart })));

/** Height reserved for every chart, on the server and before Chart.js has loaded: nothing shifts. */
export const CHART_HEIGHT = 260;

/**
 * A chart drawn in the browser only. The server renders an empty box of the chart's exact size,
 * so the page lays out once; after hydration Chart.js is loaded (its own chunk, off the critical
 * path) and draws into that box.
 */
export function ClientChart({ kind, ...props }: ChartProps & { kind: "points" | "revenue" }) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const placeholder = <Box minHeight={`${CHART_HEIGHT}px`} />;
  const Chart = kind === "points" ? PointsFlowChart : RevenueChart;
  return (
    <div style={{ position: "relative", height: CHART_HEIGHT }} data-chart={kind}>
      {hydrated ? (
        <Suspense fallback={placeholder}>
          <Chart {...props} />
        </Suspense>
      ) : (
        placeholder
      )}
    </div>
  );
}
