import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Button, Card, Collapsible, DataTable, FormLayout, InlineGrid, InlineStack, Layout, List, Page, Text, TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { MetricCard } from "~/components/MetricCard";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { getMemberDetail } from "~/services/member-detail.server";
import { adjustMemberPoints, adjustmentSchema } from "~/services/points-adjustment.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "members.title") }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const cursor = new URL(request.url).searchParams.get("cursor") ?? undefined;
  const detail = await getMemberDetail(shop, params.memberId ?? "", { cursor });
  if (!detail) throw new Response("Member not found", { status: 404 });
  // A fresh id per rendered form: submitting the same form twice adjusts once.
  return json({ ...detail, requestId: crypto.randomUUID() });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const parsed = adjustmentSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
    return json({ ok: false as const, errors, available: undefined as number | undefined }, { status: 400 });
  }
  const outcome = await adjustMemberPoints(shop, params.memberId ?? "", parsed.data, actor);
  if (!outcome.ok) return json({ ok: false as const, errors: outcome.errors, available: outcome.available }, { status: outcome.status });
  return json({ ok: true as const, points: outcome.points });
}

export default function MemberPage() {
  const { member, history, nextCursor, orders, redemptions, requestId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (result?.ok) {
      setPoints("");
      setReason("");
    }
  }, [result]);
  const errors: Record<string, string> = result && !result.ok ? result.errors : {};
  const errorText = (field: string) =>
    errors[field] ? t(`member.adjust.errors.${errors[field]}`, { available: result && !result.ok ? result.available : undefined }) : undefined;
  const title = member.name ?? t("members.unnamed", { id: member.customerId });

  return (
    <Page title={title} subtitle={member.email ?? undefined} backAction={{ content: t("member.backToMembers"), url: "/app/members" }}
      titleMetadata={member.redacted ? <Badge>{t("members.redacted")}</Badge> : undefined}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <InlineGrid columns={3} gap="400">
              {[
                [t("members.available"), member.available],
                [t("members.pending"), member.pending],
                [t("members.lifetime"), member.lifetimeEarned],
              ].map(([label, value]) => (
                <MetricCard key={label} label={String(label)} value={number.format(Number(value))} size="headingXl" />
              ))}
            </InlineGrid>
            <Card padding="0">
              <BlockStack>
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="h2" variant="headingMd">{t("member.history")}</Text>
                </div>
                {history.length === 0 ? (
                  <div style={{ padding: "var(--p-space-400)" }}><Text as="p" tone="subdued">{t("member.noHistory")}</Text></div>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "numeric"]}
                    headings={[t("dashboard.activity.when"), t("dashboard.activity.what"), t("member.adjust.reason"), t("member.points")]}
                    rows={history.map((h) => [
                      date.format(new Date(h.createdAt)),
                      t(`ledger.kind.${h.kind}`) + (h.status === "PENDING" ? ` (${t("ledger.status.PENDING")})` : ""),
                      h.reason ? t(`ledger.reason.${h.reason}`, { defaultValue: h.reason }) : "—",
                      // A capture spends what its hold already took: the balance does not move again.
                      h.kind === "REDEEM_CAPTURE" ? "—" : <bdi key="points" dir="ltr">{(h.points > 0 ? "+" : "") + number.format(h.points)}</bdi>,
                    ])}
                  />
                )}
                {nextCursor ? (
                  <div style={{ padding: "var(--p-space-400)" }}>
                    <Link to={`?cursor=${nextCursor}`}>{t("members.next")}</Link>
                  </div>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("member.redemptions.heading")}</Text>
                {redemptions.length === 0 ? <Text as="p" tone="subdued">{t("member.redemptions.none")}</Text> : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "text", "numeric"]}
                    headings={[t("dashboard.activity.when"), t("rewards.list.reward"), t("member.redemptions.code"), t("rewards.list.state"), t("member.points")]}
                    rows={redemptions.map((r) => [
                      date.format(new Date(r.createdAt)),
                      r.title,
                      <span key="code" dir="ltr">{r.code}</span>,
                      <BlockStack key="status" gap="100">
                        <span><Badge tone={r.status === "USED" ? "success" : r.status === "ISSUED" ? "info" : undefined}>{t(`member.redemptions.status.${r.status}`)}</Badge></span>
                        <Text as="span" tone="subdued" variant="bodySm">
                          {r.orderId ? t("member.redemptions.usedOn", { order: r.orderId }) : r.status === "ISSUED" ? t("member.redemptions.expires", { date: date.format(new Date(r.expiresAt)) }) : ""}
                        </Text>
                      </BlockStack>,
                      <bdi key="points" dir="ltr">{"-" + number.format(r.points)}</bdi>,
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("member.orders")}</Text>
                {orders.length === 0 ? <Text as="p" tone="subdued">{t("member.noOrders")}</Text> : null}
                {orders.map((o) => (
                  <BlockStack key={o.orderId} gap="200">
                    <InlineGrid columns={["twoThirds", "oneThird"]}>
                      <Text as="p">
                        <Text as="span" fontWeight="semibold">{o.orderName ?? o.orderId}</Text>{" "}
                        <Badge>{t(`member.orderStatus.${o.status}`)}</Badge>{" "}
                        <Text as="span" tone="subdued">{date.format(new Date(o.orderedAt))}</Text>
                      </Text>
                      <Text as="p" alignment="end" numeric>{number.format(o.points)}</Text>
                    </InlineGrid>
                    <InlineStack>
                      <Button variant="plain" onClick={() => setOpen(open === o.orderId ? null : o.orderId)} ariaExpanded={open === o.orderId} ariaControls={`trace-${o.orderId}`}>
                        {t("member.why")}
                      </Button>
                    </InlineStack>
                    <Collapsible id={`trace-${o.orderId}`} open={open === o.orderId}>
                      <List type="number">
                        {o.trace.map((step, i) => (
                          <List.Item key={i}>{t(`trace.${step.code}`, { ...step.params, pointsAfter: step.pointsAfter })}</List.Item>
                        ))}
                      </List>
                    </Collapsible>
                  </BlockStack>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <Form method="post">
              <FormLayout>
                <Text as="h2" variant="headingMd">{t("member.adjust.heading")}</Text>
                {result?.ok ? (
                  <Banner tone="success">
                    {result.points > 0
                      ? t("member.adjust.done_add", { count: result.points })
                      : t("member.adjust.done_remove", { count: -result.points })}
                  </Banner>
                ) : null}
                {errorText("form") || errorText("requestId") ? (
                  <Banner tone="critical">{errorText("form") ?? errorText("requestId")}</Banner>
                ) : null}
                <input type="hidden" name="requestId" value={requestId} />
                <TextField label={t("member.adjust.points")} name="points" type="number" value={points} onChange={setPoints}
                  helpText={t("member.adjust.pointsHelp")} error={errorText("points")} autoComplete="off" />
                <TextField label={t("member.adjust.reason")} name="reason" value={reason} onChange={setReason} multiline={2}
                  helpText={t("member.adjust.reasonHelp")} error={errorText("reason")} autoComplete="off" maxLength={500} />
                <Button submit variant="primary" loading={navigation.state === "submitting"} disabled={member.redacted}>
                  {t("member.adjust.submit")}
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
