import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { CardEmptyState } from "~/components/CardEmptyState";
import { MetricCard } from "~/components/MetricCard";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "~/services/admin-auth.server";
import { getProgramOverview } from "~/services/overview.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return json(await getProgramOverview(shop));
}

export default function Dashboard() {
  const { shop, stats, activity } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });

  const metrics = [
    { label: t("dashboard.metrics.members"), value: stats.members },
    { label: t("dashboard.metrics.available"), value: stats.pointsAvailable },
    { label: t("dashboard.metrics.pending"), value: stats.pointsPending },
    { label: t("dashboard.metrics.lifetime"), value: stats.lifetimeEarned },
  ];

  return (
    <Page title={t("dashboard.title")} subtitle={shop.name}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("dashboard.program.heading")}{" "}
                <Badge tone={shop.programEnabled ? "success" : "attention"}>
                  {shop.programEnabled ? t("dashboard.program.live") : t("dashboard.program.paused")}
                </Badge>
              </Text>
              <Text as="p" tone="subdued">
                {t(shop.earnTrigger === "ORDER_PAID" ? "dashboard.program.triggerPaid" : "dashboard.program.triggerFulfilled", {
                  count: shop.pendingDays,
                })}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            {metrics.map((m) => (
              <MetricCard key={m.label} label={m.label} value={number.format(m.value)} />
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {activity.length === 0 ? (
              <CardEmptyState heading={t("dashboard.activity.emptyHeading")} body={t("dashboard.activity.emptyBody")} />
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric"]}
                headings={[
                  t("dashboard.activity.when"),
                  t("dashboard.activity.member"),
                  t("dashboard.activity.what"),
                  t("dashboard.activity.points"),
                ]}
                rows={activity.map((a) => [
                  date.format(new Date(a.createdAt)),
                  a.member.name ?? t("dashboard.activity.customer", { id: a.member.customerId }),
                  t(`ledger.kind.${a.kind}`) + (a.status === "PENDING" ? ` (${t("ledger.status.PENDING")})` : ""),
                  (a.points > 0 ? "+" : "") + number.format(a.points),
                ])}
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
