import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import { CardEmptyState } from "~/components/CardEmptyState";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { listMembers } from "~/models/member.server";
import { requireAdmin } from "~/services/admin-auth.server";

const query = z.object({ q: z.string().max(200).optional(), cursor: z.string().max(40).optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const { q, cursor } = parsed.success ? parsed.data : {};
  const { members, nextCursor } = await listMembers(shop, { search: q, cursor });
  return json({
    q: q ?? "",
    nextCursor,
    members: members.map((m) => ({
      id: m.id,
      customerId: m.shopifyCustomerId.toString(),
      name: m.state === "REDACTED" ? null : [m.firstName, m.lastName].filter(Boolean).join(" ") || null,
      email: m.state === "REDACTED" ? null : m.email,
      redacted: m.state === "REDACTED",
      available: m.pointsAvailable,
      pending: m.pointsPending,
      lifetimeEarned: m.lifetimeEarned,
      enrolledAt: m.enrolledAt.toISOString(),
    })),
  });
}

export default function Members() {
  const { q, members, nextCursor } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const [search, setSearch] = useState(q);
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });

  return (
    <Page title={t("members.title")}>
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <InlineStack gap="200" blockAlign="end" wrap={false}>
              <div style={{ flexGrow: 1 }}>
                <TextField
                  label={t("members.searchLabel")}
                  name="q"
                  value={search}
                  onChange={setSearch}
                  placeholder={t("members.searchPlaceholder")}
                  autoComplete="off"
                />
              </div>
              <Button submit loading={navigation.state === "loading"}>
                {t("members.searchLabel")}
              </Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          {members.length === 0 ? (
            <CardEmptyState heading={t("members.empty")} body={t("members.emptyBody")} />
          ) : (
            <IndexTable
              resourceName={{ singular: t("members.title"), plural: t("members.title") }}
              itemCount={members.length}
              selectable={false}
              headings={[
                { title: t("members.name") },
                { title: t("members.email") },
                { title: t("members.available"), alignment: "end" },
                { title: t("members.pending"), alignment: "end" },
                { title: t("members.lifetime"), alignment: "end" },
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
                  <IndexTable.Cell>{date.format(new Date(m.enrolledAt))}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
        {nextCursor ? (
          <InlineStack align="end">
            <Link to={`?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor }).toString()}`}>{t("members.next")}</Link>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Page>
  );
}
