import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CardEmptyState } from "~/components/CardEmptyState";
import { ChartCard } from "~/components/overview/ChartCard";
import { ComparisonCard } from "~/components/overview/ComparisonCard";
import { RouteErrorState } from "~/components/RouteErrorState";
import { DEFAULT_PRESET, PERIOD_PRESETS, type PeriodChoice } from "~/domain/report-period";
import { isRtl, localeFromRequest } from "~/i18n/config";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { getProgramOverview } from "~/services/overview.server";

const dateParam = z.string().max(10);
const querySchema = z.object({
  period: z.enum([...PERIOD_PRESETS, "custom"]).optional(),
  from: dateParam.optional(),
  to: dateParam.optional(),
});

/** `?period=7|30|90` or `?period=custom&from=YYYY-MM-DD&to=YYYY-MM-DD`; anything else is refused. */
function periodFromUrl(url: URL): { choice: PeriodChoice; refused: boolean; from: string; to: string } {
  const parsed = querySchema.safeParse(Object.fromEntries(url.searchParams));
  const fallback = { kind: "preset", preset: DEFAULT_PRESET } as const;
  if (!parsed.success) return { choice: fallback, refused: true, from: "", to: "" };
  const { period, from = "", to = "" } = parsed.data;
  if (period === "custom") return { choice: { kind: "custom", from, to }, refused: false, from, to };
  return { choice: period ? { kind: "preset", preset: period } : fallback, refused: false, from, to };
}

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "dashboard.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const { choice, refused, from, to } = periodFromUrl(new URL(request.url));
  const overview = await getProgramOverview(shop, choice, { locale: localeFromRequest(request) });
  return json({
    ...overview,
    periodError: refused ? ("invalid_period" as const) : overview.periodError,
    // What the merchant typed, to show it back beside the error.
    requested: { period: choice.kind === "custom" ? "custom" : choice.preset, from, to },
  });
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const { shop, period, periodError, members, activeMembers, points, liability, revenue, series, activity } = data;
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const submit = useSubmit();
  const locale = i18n.language;
  const rtl = isRtl(locale);
  const [periodValue, setPeriodValue] = useState<string>(periodError ? data.requested.period : period.choice.kind === "custom" ? "custom" : period.choice.preset);
  const [from, setFrom] = useState(data.requested.from || period.current.from);
  const [to, setTo] = useState(data.requested.to || period.current.to);

  const number = new Intl.NumberFormat(locale);
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: shop.currencyCode });
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const compactNumber = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  const compactMoney = new Intl.NumberFormat(locale, { style: "currency", currency: shop.currencyCode, notation: "compact", maximumFractionDigits: 1 });
  const longDate = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const shortDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const day = (key: string) => new Date(`${key}T00:00:00Z`);
  const formatMoney = (amount: string | number) => money.format(Number(amount));
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";

  const compare = (current: number, previous: number, format: (n: number) => string) => {
    if (previous === 0) return current === 0 ? t("overview.compare.unchanged") : t("overview.compare.fromNone", { previous: format(0) });
    const change = (current - previous) / Math.abs(previous);
    if (change === 0) return t("overview.compare.same", { previous: format(previous) });
    return t(change > 0 ? "overview.compare.up" : "overview.compare.down", { percent: percent.format(Math.abs(change)), previous: format(previous) });
  };
  const compareRate = (current: number | null, previous: number | null) => {
    if (current === null || previous === null) return previous === null ? t("overview.compare.noRate") : t("overview.compare.rateWas", { previous: percent.format(previous) });
    const delta = Math.round((current - previous) * 1000) / 10;
    if (delta === 0) return t("overview.compare.same", { previous: percent.format(previous) });
    return t(delta > 0 ? "overview.compare.rateUp" : "overview.compare.rateDown", { delta: number.format(Math.abs(delta)), previous: percent.format(previous) });
  };
  const count = (n: number) => number.format(n);

  const pointValueText = liability.pointValue.source === "reward"
    ? t("overview.liability.fromReward", { points: count(liability.pointValue.points), amount: formatMoney(liability.pointValue.amount), reward: liability.pointValue.rewardTitle ?? "" })
    : t("overview.liability.assumed", { points: count(liability.pointValue.points), amount: formatMoney(liability.pointValue.amount) });
  const revenueTotal = Number(revenue.members.current) + Number(revenue.others.current);

  const dayLabels = series.days.map((d) => shortDate.format(day(d)));
  const pointsSeries = [
    { label: t("overview.chart.issued"), color: "#2c6ecb", values: series.issued, total: count(points.issued.current) },
    { label: t("overview.chart.redeemed"), color: "#008060", values: series.redeemed, total: count(points.redeemed.current) },
    { label: t("overview.chart.expired"), color: "#b98900", values: series.expired, total: count(points.expired.current) },
  ];
  const revenueSeries = [
    { label: t("overview.chart.memberRevenue"), color: "#5c6ac4", values: series.memberRevenue.map(Number), total: formatMoney(revenue.members.current) },
    { label: t("overview.chart.otherRevenue"), color: "#8a8a8a", values: series.otherRevenue.map(Number), total: formatMoney(revenue.others.current) },
  ];
  const periodText = (p: { from: string; to: string }) => t("overview.period.range", { from: longDate.format(day(p.from)), to: longDate.format(day(p.to)) });

  return (
    <Page title={t("dashboard.title")} subtitle={shop.name}>
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <BlockStack gap="300">
              <InlineStack gap="300" blockAlign="end" wrap>
                <Select
                  label={t("overview.period.label")}
                  name="period"
                  value={periodValue}
                  options={[
                    ...PERIOD_PRESETS.map((preset) => ({ label: t("overview.period.last", { count: Number(preset) }), value: preset })),
                    { label: t("overview.period.custom"), value: "custom" },
                  ]}
                  onChange={(value) => {
                    setPeriodValue(value);
                    // A preset applies at once; a custom range waits for its dates.
                    if (value !== "custom") submit({ period: value }, { method: "get", replace: true });
                  }}
                />
                {periodValue === "custom" ? (
                  <>
                    <TextField label={t("overview.period.from")} type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
                    <TextField label={t("overview.period.to")} type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
                  </>
                ) : null}
                <Button submit loading={loading}>{t("overview.period.apply")}</Button>
              </InlineStack>
              <Text as="p" tone="subdued">
                {t("overview.period.summary", { current: periodText(period.current), previous: periodText(period.previous), timeZone: shop.timeZone })}
              </Text>
            </BlockStack>
          </Form>
        </Card>

        {periodError ? (
          <Banner tone="warning" title={t("overview.period.refusedTitle")}>
            <p>{t(`overview.period.errors.${periodError}`)} {t("overview.period.showingDefault", { count: Number(DEFAULT_PRESET) })}</p>
          </Banner>
        ) : null}

        {data.isNewShop ? (
          <Card padding="0">
            <CardEmptyState heading={t("overview.empty.heading")} body={t("overview.empty.body")} />
          </Card>
        ) : null}

        <div aria-busy={loading} style={{ opacity: loading ? 0.6 : 1, transition: "opacity 150ms" }}>
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 1, sm: 2, lg: 4 }} gap="400">
              <ComparisonCard metric="members" label={t("dashboard.metrics.members")} value={count(members.total)}
                comparison={t("overview.members.new", { current: count(members.new.current), previous: count(members.new.previous) })} />
              <ComparisonCard metric="activeMembers" label={t("overview.metrics.activeMembers")} value={count(activeMembers.current)}
                comparison={compare(activeMembers.current, activeMembers.previous, count)} help={t("overview.help.activeMembers")} />
              <ComparisonCard metric="issued" label={t("overview.metrics.issued")} value={count(points.issued.current)}
                comparison={compare(points.issued.current, points.issued.previous, count)} />
              <ComparisonCard metric="redeemed" label={t("overview.metrics.redeemed")} value={count(points.redeemed.current)}
                comparison={compare(points.redeemed.current, points.redeemed.previous, count)} />
              <ComparisonCard metric="expired" label={t("overview.metrics.expired")} value={count(points.expired.current)}
                comparison={compare(points.expired.current, points.expired.previous, count)} />
              <ComparisonCard metric="redemptionRate" label={t("overview.metrics.redemptionRate")}
                value={points.redemptionRate.current === null ? "—" : percent.format(points.redemptionRate.current)}
                comparison={compareRate(points.redemptionRate.current, points.redemptionRate.previous)} help={t("overview.help.redemptionRate")} />
              <ComparisonCard metric="liability" label={t("overview.metrics.liability")} value={formatMoney(liability.amount)}
                comparison={t("overview.liability.points", { available: count(liability.available), pending: count(liability.pending) })} help={pointValueText} />
              <ComparisonCard metric="memberRevenue" label={t("overview.metrics.memberRevenue")} value={formatMoney(revenue.members.current)}
                comparison={compare(Number(revenue.members.current), Number(revenue.members.previous), formatMoney)}
                help={t("overview.revenue.others", {
                  amount: formatMoney(revenue.others.current),
                  share: revenueTotal > 0 ? percent.format(Number(revenue.members.current) / revenueTotal) : "—",
                })} />
            </InlineGrid>

            <InlineGrid columns={{ xs: 1, lg: 2 }} gap="400">
              <ChartCard
                kind="points"
                heading={t("overview.chart.pointsHeading")}
                help={t("overview.help.points")}
                series={pointsSeries}
                days={series.days}
                dayLabels={dayLabels}
                dayHeading={t("overview.chart.day")}
                description={t("overview.chart.pointsDescription", { range: periodText(period.current) })}
                locale={locale}
                rtl={rtl}
                format={count}
                formatTick={(n) => compactNumber.format(n)}
                empty={pointsSeries.every((s) => s.values.every((v) => v === 0)) ? <Text as="p" tone="subdued">{t("overview.chart.emptyPoints")}</Text> : undefined}
              />
              <ChartCard
                kind="revenue"
                heading={t("overview.chart.revenueHeading")}
                help={[
                  t("overview.help.revenue"),
                  revenue.excludedOrders > 0 ? t("overview.revenue.excluded", { count: revenue.excludedOrders }) : "",
                ].filter(Boolean).join(" ")}
                series={revenueSeries}
                days={series.days}
                dayLabels={dayLabels}
                dayHeading={t("overview.chart.day")}
                description={t("overview.chart.revenueDescription", { range: periodText(period.current) })}
                locale={locale}
                rtl={rtl}
                format={formatMoney}
                formatTick={(n) => compactMoney.format(n)}
                empty={revenueSeries.every((s) => s.values.every((v) => v === 0)) ? <Text as="p" tone="subdued">{t("overview.chart.emptyRevenue")}</Text> : undefined}
              />
            </InlineGrid>
          </BlockStack>
        </div>

        <Layout>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("dashboard.program.heading")}{" "}
                  <Badge tone={shop.programEnabled ? "success" : "attention"}>
                    {shop.programEnabled ? t("dashboard.program.live") : t("dashboard.program.paused")}
                  </Badge>
                </Text>
                <Text as="p" tone="subdued">
                  {t(shop.earnTrigger === "ORDER_PAID" ? "dashboard.program.triggerPaid" : "dashboard.program.triggerFulfilled", { count: shop.pendingDays })}
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card padding="0">
              {activity.length === 0 ? (
                <CardEmptyState heading={t("dashboard.activity.emptyHeading")} body={t("dashboard.activity.emptyBody")} />
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric"]}
                  headings={[t("dashboard.activity.when"), t("dashboard.activity.member"), t("dashboard.activity.what"), t("dashboard.activity.points")]}
                  rows={activity.map((a) => [
                    dateTime.format(new Date(a.createdAt)),
                    a.member.name ?? t("dashboard.activity.customer", { id: a.member.customerId }),
                    t(`ledger.kind.${a.kind}`) + (a.status === "PENDING" ? ` (${t("ledger.status.PENDING")})` : ""),
                    // A signed number reads left to right in every language ("+31", not "31+" in Hebrew).
                    <bdi key="points" dir="ltr">{(a.points > 0 ? "+" : "") + number.format(a.points)}</bdi>,
                  ])}
                />
              )}
            </Card>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  const { t } = useTranslation();
  return <RouteErrorState title={t("dashboard.title")} />;
}
