import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type TooltipItem,
} from "chart.js";
import { Bar, Line } from "react-chartjs-2";

// Chart.js on the canvas, browser only: the `.client` suffix keeps it out of the server bundle,
// and ClientChart loads this module after hydration, so the first paint never waits for it.
ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Tooltip);

export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

export interface ChartProps {
  /** Axis labels, one per day, already formatted for the locale. */
  labels: string[];
  series: ChartSeries[];
  /** What the canvas shows, for assistive technology (the data itself is in a table beside it). */
  description: string;
  locale: string;
  rtl: boolean;
  /** Formats a value for tooltips (exact). */
  format: (value: number) => string;
  /** Formats an axis tick (short). */
  formatTick: (value: number) => string;
}

function sharedOptions({ locale, rtl, format, formatTick }: ChartProps, stacked: boolean) {
  return {
    // Drawn once: no animation to wait for, nothing moves after the first frame.
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    locale,
    interaction: { mode: "index" as const, intersect: false },
    plugins: {
      // The legend, with each series' total, is HTML beside the chart (readable and testable).
      legend: { display: false },
      tooltip: { rtl, callbacks: { label: (item: TooltipItem<"line" | "bar">) => `${item.dataset.label ?? ""}: ${format(Number(item.raw))}` } },
    },
    scales: {
      // offset: the first and last days' labels stay inside the canvas.
      x: { reverse: rtl, stacked, offset: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 16 } },
      y: { position: rtl ? ("right" as const) : ("left" as const), stacked, beginAtZero: true, ticks: { callback: (value: string | number) => formatTick(Number(value)), maxTicksLimit: 6 } },
    },
  };
}

export function PointsFlowChart(props: ChartProps) {
  return (
    <Line
      role="img"
      aria-label={props.description}
      data={{
        labels: props.labels,
        datasets: props.series.map((s) => ({
          label: s.label,
          data: s.values,
          borderColor: s.color,
          backgroundColor: s.color,
          borderWidth: 2,
          pointRadius: props.labels.length > 45 ? 0 : 2,
          tension: 0.25,
        })),
      }}
      options={sharedOptions(props, false)}
    />
  );
}

export function RevenueChart(props: ChartProps) {
  return (
    <Bar
      role="img"
      aria-label={props.description}
      data={{
        labels: props.labels,
        datasets: props.series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color, borderRadius: 2, maxBarThickness: 28 })),
      }}
      options={sharedOptions(props, true)}
    />
  );
}
