import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineStack, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/i18n/page-title";
import { z } from "zod";
import { CardEmptyState } from "~/components/CardEmptyState";
import { localizedText, minimumPoints, rewardUnavailability, type RewardRecord } from "~/domain/rewards";
import { activeRedemptionCounts } from "~/models/redemption.server";
import { listRewards, RewardNotFoundError, setRewardEnabled } from "~/models/reward.server";
import { getShop } from "~/models/shop.server";
import { requireAdmin } from "~/services/admin-auth.server";
import { installStarterCatalog } from "~/services/rewards.server";

// The rewards catalog: what members can spend points on.

const formSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("toggle"), rewardId: z.string().min(1).max(64), enabled: z.enum(["true", "false"]) }),
  z.object({ intent: z.literal("starter") }),
]);

type ActionData = { ok: true; intent: "toggle" | "starter"; count?: number } | { ok: false; error: "invalid" | "notFound" };

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "rewards.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const [rewards, shopRow, issued] = await Promise.all([listRewards(shop), getShop(shop), activeRedemptionCounts(shop)]);
  const locale = shopRow?.primaryLocale ?? "en";
  const now = new Date();
  return json({
    currency: shopRow?.currencyCode ?? "USD",
    pointsName: shopRow?.pointsName ?? "points",
    // Cheapest first: the order a shopper climbs the catalog in.
    rewards: rewards.sort((a, b) => Number(b.enabled) - Number(a.enabled) || minimumPoints(a as RewardRecord) - minimumPoints(b as RewardRecord)).map((r) => ({
      id: r.id,
      type: r.type,
      title: localizedText(r.title, locale, locale),
      cost: minimumPoints(r as RewardRecord),
      slider: r.type === "POINTS_SLIDER",
      amount: r.amount ?? r.sliderUnitAmount,
      pointsPerStep: r.sliderPointsPerUnit,
      percentage: r.percentage,
      productTitle: r.productTitle,
      enabled: r.enabled,
      issued: issued.get(r.id) ?? 0,
      stock: r.stockTotal,
      state: rewardUnavailability(r as RewardRecord, now) ?? "live",
    })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json<ActionData>({ ok: false, error: "invalid" }, { status: 422 });
  if (parsed.data.intent === "starter") {
    const count = await installStarterCatalog(shop, actor);
    return json<ActionData>({ ok: true, intent: "starter", count });
  }
  try {
    await setRewardEnabled(shop, parsed.data.rewardId, parsed.data.enabled === "true", actor);
    return json<ActionData>({ ok: true, intent: "toggle" });
  } catch (error) {
    if (error instanceof RewardNotFoundError) return json<ActionData>({ ok: false, error: "notFound" }, { status: 404 });
    throw error;
  }
}

export default function RewardsPage() {
  const { rewards, currency, pointsName } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  const money = (amount: string | null) => (amount ? new Intl.NumberFormat(i18n.language, { style: "currency", currency }).format(Number(amount)) : "");
  const busy = (id: string) => navigation.state !== "idle" && navigation.formData?.get("rewardId") === id;
  const valueOf = (r: (typeof rewards)[number]) => {
    switch (r.type) {
      case "FIXED_AMOUNT": return t("rewards.value.fixed", { amount: money(r.amount) });
      case "PERCENTAGE": return t("rewards.value.percentage", { percentage: r.percentage });
      case "FREE_SHIPPING": return t("rewards.value.freeShipping");
      case "FREE_PRODUCT": return t("rewards.value.freeProduct", { product: r.productTitle ?? "" });
      case "POINTS_SLIDER": return t("rewards.value.slider", { amount: money(r.amount), points: number.format(r.pointsPerStep ?? 0), pointsName });
    }
  };
  const tone = (state: string) => (state === "live" ? "success" : state === "disabled" ? undefined : "attention");

  return (
    <Page title={t("rewards.title")} subtitle={t("rewards.subtitle")} primaryAction={{ content: t("rewards.add"), url: "/app/rewards/new" }}>
      <BlockStack gap="400">
        {result?.ok && result.intent === "starter" ? <Banner tone="success">{t("rewards.starter.done", { count: result.count ?? 0 })}</Banner> : null}
        {result && !result.ok ? <Banner tone="critical">{t(`rewards.errors.${result.error}`)}</Banner> : null}
        <Card padding="0">
          {rewards.length === 0 ? (
            <BlockStack gap="0">
              <CardEmptyState heading={t("rewards.empty.heading")} body={t("rewards.empty.body")} />
              <div style={{ padding: "0 16px 16px" }}>
                <Form method="post">
                  <input type="hidden" name="intent" value="starter" />
                  <InlineStack gap="200">
                    <Button submit variant="primary" loading={navigation.state !== "idle"}>{t("rewards.starter.button")}</Button>
                    <Button url="/app/rewards/new">{t("rewards.add")}</Button>
                  </InlineStack>
                </Form>
              </div>
            </BlockStack>
          ) : (
            <IndexTable
              resourceName={{ singular: t("rewards.singular"), plural: t("rewards.title") }}
              itemCount={rewards.length}
              selectable={false}
              headings={[
                { title: t("rewards.list.reward") },
                { title: t("rewards.list.cost") },
                { title: t("rewards.list.value") },
                { title: t("rewards.list.issued") },
                { title: t("rewards.list.state") },
                { title: t("rewards.list.actions"), hidden: true },
              ]}
            >
              {rewards.map((r, index) => (
                <IndexTable.Row id={r.id} key={r.id} position={index}>
                  <IndexTable.Cell>
                    <Link to={`/app/rewards/${r.id}`}><Text as="span" fontWeight="semibold">{r.title}</Text></Link>
                    <div><Text as="span" tone="subdued" variant="bodySm">{t(`rewards.types.${r.type}`)}</Text></div>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {r.slider ? t("rewards.list.fromPoints", { points: number.format(r.cost), pointsName }) : `${number.format(r.cost)} ${pointsName}`}
                  </IndexTable.Cell>
                  <IndexTable.Cell>{valueOf(r)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    {r.stock === null ? number.format(r.issued) : t("rewards.list.issuedOf", { issued: number.format(r.issued), stock: number.format(r.stock) })}
                  </IndexTable.Cell>
                  <IndexTable.Cell><Badge tone={tone(r.state)}>{t(`rewards.state.${r.state}`)}</Badge></IndexTable.Cell>
                  <IndexTable.Cell>
                    <Form method="post">
                      <input type="hidden" name="intent" value="toggle" />
                      <input type="hidden" name="rewardId" value={r.id} />
                      <input type="hidden" name="enabled" value={r.enabled ? "false" : "true"} />
                      <Button submit variant="plain" loading={busy(r.id)} accessibilityLabel={`${r.enabled ? t("rewards.disable") : t("rewards.enable")}: ${r.title}`}>
                        {r.enabled ? t("rewards.disable") : t("rewards.enable")}
                      </Button>
                    </Form>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
