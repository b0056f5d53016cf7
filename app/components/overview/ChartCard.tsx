import { BlockStack, Box, Card, Text } from "@shopify/polaris";
import type { CSSProperties, ReactNode } from "react";
import { ClientChart } from "./ClientChart";
import type { ChartSeries } from "./charts.client";

const legendList: CSSProperties = { display: "flex", flexWrap: "wrap", gap: "var(--p-space-200) var(--p-space-400)", listStyle: "none", margin: 0, padding: 0 };
const legendItem: CSSProperties = { display: "flex", alignItems: "center", gap: "var(--p-space-150)" };

const visuallyHidden: CSSProperties = {
  position: "absolute", width: 1, height: 1, padding: 0, margin: -1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap", border: 0,
};

export interface ChartCardProps {
  kind: "points" | "revenue";
  heading: string;
  /** One line under the heading: what is counted, and on which day. */
  help: string;
  series: (ChartSeries & { total: string })[];
  /** Local days (YYYY-MM-DD) and their labels for the axis and the table. */
  days: string[];
  dayLabels: string[];
  dayHeading: string;
  description: string;
  locale: string;
  rtl: boolean;
  format: (value: number) => string;
  formatTick: (value: number) => string;
  /** Shown instead of the chart when the period has nothing to draw. */
  empty?: ReactNode;
}

/**
 * A chart with its legend in HTML (each series with its total for the period) and the same data
 * as a table for screen readers; the canvas itself is drawn in the browser (ClientChart).
 */
export function ChartCard({ kind, heading, help, series, days, dayLabels, dayHeading, description, locale, rtl, format, formatTick, empty }: ChartCardProps) {
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">{heading}</Text>
          <Text as="p" tone="subdued">{help}</Text>
        </BlockStack>
        <ul style={legendList} data-chart-legend={kind}>
          {series.map((s) => (
            <li key={s.label} data-series={s.label} style={legendItem}>
              <span aria-hidden style={{ width: 12, height: 12, borderRadius: 3, background: s.color, display: "inline-block" }} />
              <Text as="span" tone="subdued">{s.label}</Text>
              <Text as="span" fontWeight="semibold" numeric>
                <span data-series-total>{s.total}</span>
              </Text>
            </li>
          ))}
        </ul>
        {empty ?? (
          <Box>
            <ClientChart kind={kind} labels={dayLabels} series={series} description={description} locale={locale} rtl={rtl} format={format} formatTick={formatTick} />
            <div style={visuallyHidden}>
              <table data-chart-table={kind}>
                <caption>{heading}</caption>
                <thead>
                  <tr>
                    <th scope="col">{dayHeading}</th>
                    {series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {days.map((day, i) => (
                    <tr key={day} data-day={day}>
                      <th scope="row">{dayLabels[i]}</th>
                      {series.map((s) => <td key={s.label}>{format(s.values[i])}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Box>
        )}
      </BlockStack>
    </Card>
  );
}
