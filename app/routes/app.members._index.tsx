import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineStack, Page, Pagination, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CardEmptyState } from "~/components/CardEmptyState";
import { RouteErrorState } from "~/components/RouteErrorState";
import { ACTIVITY_FILTERS } from "~/domain/member-filters";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { findMembers, type MemberListQuery } from "~/services/members.server";

/** Balances are int4 columns. */
const MAX_BALANCE = 2_147_483_647;
const balance = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.coerce.number().int().min(0).max(MAX_BALANCE).optional(),
);
const querySchema = z.object({
  q: z.string().max(200).optional(),
  balanceMin: balance,
  balanceMax: balance,
  activity: z.union([z.enum(ACTIVITY_FILTERS), z.literal("")]).optional(),
  after: z.string().max(40).optional(),
  before: z.string().max(40).optional(),
});

type FilterError = "balance" | "balanceOrder" | "activity" | "search";

/** Each filter is checked on its own: a bad one is reported and left out, the others still apply. */
function parseQuery(url: URL): { query: MemberListQuery; errors: FilterError[]; raw: Record<string, string> } {
  const raw = Object.fromEntries(url.searchParams);
  const errors: FilterError[] = [];
  const field = <K extends keyof z.infer<typeof querySchema>>(key: K, error: FilterError) => {
    const parsed = querySchema.shape[key].safeParse(raw[key]);
    if (parsed.success) return parsed.data as z.infer<typeof querySchema>[K];
    if (!errors.includes(error)) errors.push(error);
    return undefined;
  };
  const query: MemberListQuery = {
    search: field("q", "search")?.trim() || undefined,
    balanceMin: field("balanceMin", "balance"),
    balanceMax: field("balanceMax", "balance"),
    activity: field("activity", "activity") || undefined,
    after: field("after", "search"),
    before: field("before", "search"),
  };
  if (query.balanceMin !== undefined && query.balanceMax !== undefined && query.balanceMin > query.balanceMax) {
    errors.push("balanceOrder");
    query.balanceMin = query.balanceMax = undefined;
  }
  return { query, errors, raw };
}

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "members.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const { query, errors, raw } = parseQuery(new URL(request.url));
  const page = await findMembers(shop, query);
  const filtered = Boolean(query.search || query.balanceMin !== undefined || query.balanceMax !== undefined || query.activity);
  return json({
    // What the merchant asked for, shown back in the form (also when refused).
    form: { q: raw.q ?? "", balanceMin: raw.balanceMin ?? "", balanceMax: raw.balanceMax ?? "", activity: raw.activity ?? "" },
    applied: { search: query.search ?? null, balanceMin: query.balanceMin ?? null, balanceMax: query.balanceMax ?? null, activity: query.activity ?? null },
    errors,
    filtered,
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
    members: page.members.map((m) => ({
      id: m.id,
      customerId: m.shopifyCustomerId.toString(),
      name: m.state === "REDACTED" ? null : [m.firstName, m.lastName].filter(Boolean).join(" ") || null,
      email: m.state === "REDACTED" ? null : m.email,
      redacted: m.state === "REDACTED",
      available: m.pointsAvailable,
      pending: m.pointsPending,
      lifetimeEarned: m.lifetimeEarned,
      enrolledAt: m.enrolledAt.toISOString(),
      lastActivityAt: m.lastActivityAt?.toISOString() ?? null,
    })),
  });
}

export default function Members() {
  const { form, applied, errors, filtered, members, nextCursor, previousCursor } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const [search, setSearch] = useState(form.q);
  const [balanceMin, setBalanceMin] = useState(form.balanceMin);
  const [balanceMax, setBalanceMax] = useState(form.balanceMax);
  const [activity, setActivity] = useState(form.activity);
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app/members";

  // The applied filters travel with the page cursors.
  const filterParams = new URLSearchParams();
  if (applied.search) filterParams.set("q", applied.search);
  if (applied.balanceMin !== null) filterParams.set("balanceMin", String(applied.balanceMin));
  if (applied.balanceMax !== null) filterParams.set("balanceMax", String(applied.balanceMax));
  if (applied.activity) filterParams.set("activity", applied.activity);
  const pageUrl = (cursor: "after" | "before", id: string) => {
    const params = new URLSearchParams(filterParams);
    params.set(cursor, id);
    return `?${params.toString()}`;
  };
  const balanceError = errors.includes("balanceOrder") ? t("members.filters.errors.balanceOrder") : errors.includes("balance") ? t("members.filters.errors.balance") : undefined;

  return (
    <Page title={t("members.title")}>
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <BlockStack gap="300">
              <InlineStack gap="300" blockAlign="start" wrap>
                <div style={{ flex: "2 1 16rem" }}>
                  <TextField label={t("members.searchLabel")} name="q" value={search} onChange={setSearch} placeholder={t("members.searchPlaceholder")}
                    autoComplete="off" error={errors.includes("search") ? t("members.filters.errors.search") : undefined} />
                </div>
                <div style={{ flex: "1 1 12rem" }}>
                  <Select label={t("members.filters.activity")} name="activity" value={activity} onChange={setActivity}
                    helpText={t("members.filters.activityHelp")}
                    error={errors.includes("activity") ? t("members.filters.errors.activity") : undefined}
                    options={[
                      { label: t("members.filters.anyActivity"), value: "" },
                      ...ACTIVITY_FILTERS.map((value) => ({ label: t(`members.filters.activityOptions.${value}`), value })),
                    ]} />
                </div>
                <div style={{ flex: "1 1 8rem" }}>
                  <TextField label={t("members.filters.balanceMin")} name="balanceMin" type="number" min={0} value={balanceMin} onChange={setBalanceMin}
                    autoComplete="off" error={balanceError} />
                </div>
                <div style={{ flex: "1 1 8rem" }}>
                  <TextField label={t("members.filters.balanceMax")} name="balanceMax" type="number" min={0} value={balanceMax} onChange={setBalanceMax}
                    autoComplete="off" error={Boolean(balanceError)} />
                </div>
              </InlineStack>
              <InlineStack gap="200" align="end">
                {filtered ? <Button url="/app/members">{t("members.filters.clear")}</Button> : null}
                <Button submit variant="primary" loading={loading}>{t("members.filters.apply")}</Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        {errors.length > 0 ? <Banner tone="warning">{t("members.filters.errors.ignored")}</Banner> : null}
        <Card padding="0">
          {members.length === 0 && !loading ? (
            filtered ? (
              <CardEmptyState heading={t("members.empty")} body={t("members.filters.emptyBody")} />
            ) : (
              <CardEmptyState heading={t("members.none")} body={t("members.emptyBody")} />
            )
          ) : (
            <IndexTable
              resourceName={{ singular: t("members.singular"), plural: t("members.plural") }}
              itemCount={members.length}
              selectable={false}
              loading={loading}
              headings={[
                { title: t("members.name") },
                { title: t("members.email") },
                { title: t("members.available"), alignment: "end" },
                { title: t("members.pending"), alignment: "end" },
                { title: t("members.lifetime"), alignment: "end" },
                { title: t("members.lastActivity") },
                { title: t("members.enrolled") },
              ]}
            >
              {members.map((m, index) => (
                <IndexTable.Row id={m.id} key={m.id} position={index}>
                  <IndexTable.Cell>
                    <Link to={`/app/members/${m.id}`}>{m.name ?? t("members.unnamed", { id: m.customerId })}</Link>{" "}
                    {m.redacted ? <Badge>{t("members.redacted")}</Badge> : null}
                  </IndexTable.Cell>
                  <IndexTable.Cell>{m.email ?? "—"}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>{number.format(m.available)}</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>{number.format(m.pending)}</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>{number.format(m.lifetimeEarned)}</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{m.lastActivityAt ? date.format(new Date(m.lastActivityAt)) : t("members.noActivity")}</IndexTable.Cell>
                  <IndexTable.Cell>{date.format(new Date(m.enrolledAt))}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
        {nextCursor || previousCursor ? (
          <InlineStack align="center">
            <Pagination
              hasPrevious={previousCursor !== null}
              previousURL={previousCursor ? pageUrl("before", previousCursor) : undefined}
              previousTooltip={t("members.previous")}
              accessibilityLabels={{ previous: t("members.previous"), next: t("members.next") }}
              hasNext={nextCursor !== null}
              nextURL={nextCursor ? pageUrl("after", nextCursor) : undefined}
              nextTooltip={t("members.next")}
            />
          </InlineStack>
        ) : null}
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  const { t } = useTranslation();
  return <RouteErrorState title={t("members.title")} />;
}
