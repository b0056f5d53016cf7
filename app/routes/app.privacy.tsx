import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, IndexTable, InlineGrid, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useToast } from "~/components/admin-feedback";
import { CardEmptyState } from "~/components/CardEmptyState";
import { RouteErrorState } from "~/components/RouteErrorState";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { loadPrivacyPage, parsePrivacyQuery } from "~/services/privacy.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "privacy.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const { query, ignored } = parsePrivacyQuery(new URL(request.url).searchParams);
  return json({ ...(await loadPrivacyPage(shop, query)), ignored });
}

interface AuditChange {
  path: string;
  from: unknown;
  to: unknown;
}

const show = (value: unknown) => (value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value));

export default function PrivacyPage() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const location = useLocation();
  const [searchParams] = useSearchParams();
  const toast = useToast();
  // In the shop's time zone, as the page says (and as the date filters read).
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: data.timeZone });
  const [filters, setFilters] = useState(data.filters);
  const [downloading, setDownloading] = useState<string | null>(null);
  // Filtering or paging reloads this page's data: its tables show it is on the way.
  const reloading = navigation.state === "loading" && navigation.location.pathname === location.pathname;

  const actionLabel = (action: string) => t(`privacy.audit.actions.${action.replace(/\./g, "_")}`, { defaultValue: action });
  const actorLabel = (actor: string) => {
    const [kind, ...rest] = actor.split(":");
    const who = rest.join(":");
    return t(`privacy.audit.actors.${kind}`, { defaultValue: actor, who });
  };
  const pageLink = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    return `?${next.toString()}`;
  };

  // A fetch, not a link: inside the Shopify admin, App Bridge adds the session token to fetch
  // requests, which a plain navigation to the file would lack.
  const download = async (exportId: string) => {
    setDownloading(exportId);
    try {
      const response = await fetch(`/app/privacy/exports/${encodeURIComponent(exportId)}`);
      if (!response.ok) throw new Error(String(response.status));
      const filename = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? `${exportId}.json`;
      const url = URL.createObjectURL(await response.blob());
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = filename;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toast.show(t("privacy.exports.downloaded"));
    } catch {
      toast.show(t("privacy.exports.downloadFailed"), { isError: true });
    } finally {
      setDownloading(null);
    }
  };

  return (
    <Page title={t("privacy.title")} subtitle={t("privacy.subtitle")}>
      {toast.element}
      <BlockStack gap="500">
        <Card padding="0">
          <BlockStack>
            <Box padding="400">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">{t("privacy.exports.heading")}</Text>
                <Text as="p" tone="subdued">{t("privacy.exports.description")}</Text>
              </BlockStack>
            </Box>
            {data.exports.length === 0 ? (
              <CardEmptyState heading={t("privacy.exports.empty")} body={t("privacy.exports.emptyBody")} />
            ) : (
              <IndexTable
                resourceName={{ singular: t("privacy.exports.singular"), plural: t("privacy.exports.plural") }}
                itemCount={data.exports.length}
                selectable={false}
                loading={reloading}
                headings={[
                  { title: t("privacy.exports.received") },
                  { title: t("privacy.exports.customer") },
                  { title: t("privacy.exports.request") },
                  { title: t("privacy.exports.file"), hidden: true },
                ]}
              >
                {data.exports.map((e, index) => (
                  <IndexTable.Row id={e.id} key={e.id} position={index}>
                    <IndexTable.Cell>{date.format(new Date(e.createdAt))}</IndexTable.Cell>
                    <IndexTable.Cell><span dir="ltr">{e.customerId}</span></IndexTable.Cell>
                    <IndexTable.Cell><span dir="ltr">{e.dataRequestId ?? "—"}</span></IndexTable.Cell>
                    <IndexTable.Cell>
                      <Button onClick={() => void download(e.id)} loading={downloading === e.id} accessibilityLabel={t("privacy.exports.downloadFor", { customer: e.customerId })}>
                        {t("privacy.exports.download")}
                      </Button>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
            {data.exportsNextCursor ? (
              <Box padding="400"><Link to={pageLink({ exportsBefore: data.exportsNextCursor })}>{t("privacy.exports.older")}</Link></Box>
            ) : null}
          </BlockStack>
        </Card>

        <Card padding="0">
          <BlockStack>
            <Box padding="400">
              <BlockStack gap="300">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">{t("privacy.audit.heading")}</Text>
                  <Text as="p" tone="subdued">{t("privacy.audit.description", { timezone: data.timeZone })}</Text>
                </BlockStack>
                <Form method="get">
                  <BlockStack gap="300">
                    <InlineGrid columns={{ xs: 1, md: 4 }} gap="300">
                      <Select
                        label={t("privacy.audit.filters.action")}
                        name="action"
                        options={[{ label: t("privacy.audit.filters.any"), value: "" }, ...data.facets.actions.map((a) => ({ label: actionLabel(a), value: a }))]}
                        value={filters.action}
                        onChange={(v) => setFilters({ ...filters, action: v })}
                      />
                      <Select
                        label={t("privacy.audit.filters.actor")}
                        name="actor"
                        options={[{ label: t("privacy.audit.filters.anyone"), value: "" }, ...data.facets.actors.map((a) => ({ label: actorLabel(a), value: a }))]}
                        value={filters.actor}
                        onChange={(v) => setFilters({ ...filters, actor: v })}
                      />
                      <TextField label={t("privacy.audit.filters.from")} name="from" type="date" value={filters.from} onChange={(v) => setFilters({ ...filters, from: v })} autoComplete="off"
                        error={data.ignored.includes("from") ? t("privacy.audit.filters.badDate") : undefined} />
                      <TextField label={t("privacy.audit.filters.to")} name="to" type="date" value={filters.to} onChange={(v) => setFilters({ ...filters, to: v })} autoComplete="off"
                        error={data.ignored.includes("to") ? t("privacy.audit.filters.badDate") : undefined} />
                    </InlineGrid>
                    <InlineStack gap="200">
                      <Button submit variant="primary" loading={reloading}>{t("privacy.audit.filters.apply")}</Button>
                      <Button url="/app/privacy" onClick={() => setFilters({ action: "", actor: "", from: "", to: "" })}>{t("privacy.audit.filters.clear")}</Button>
                    </InlineStack>
                  </BlockStack>
                </Form>
              </BlockStack>
            </Box>
            {data.audit.length === 0 ? (
              <CardEmptyState heading={t("privacy.audit.empty")} body={t("privacy.audit.emptyBody")} />
            ) : (
              <IndexTable
                resourceName={{ singular: t("privacy.audit.singular"), plural: t("privacy.audit.plural") }}
                itemCount={data.audit.length}
                selectable={false}
                loading={reloading}
                headings={[{ title: t("privacy.audit.when") }, { title: t("privacy.audit.who") }, { title: t("privacy.audit.what") }, { title: t("privacy.audit.details") }]}
                pagination={{
                  hasPrevious: data.auditNewerCursor !== null,
                  hasNext: data.auditOlderCursor !== null,
                  previousTooltip: t("privacy.audit.newer"),
                  nextTooltip: t("privacy.audit.older"),
                  previousKeys: [],
                  nextKeys: [],
                  onPrevious: () => data.auditNewerCursor && navigate(pageLink({ after: data.auditNewerCursor, before: null })),
                  onNext: () => data.auditOlderCursor && navigate(pageLink({ before: data.auditOlderCursor, after: null })),
                }}
              >
                {data.audit.map((entry, index) => {
                  const details = (entry.details ?? {}) as Record<string, unknown>;
                  const changes = Array.isArray(details.changes) ? (details.changes as AuditChange[]) : null;
                  return (
                    <IndexTable.Row id={entry.id} key={entry.id} position={index}>
                      <IndexTable.Cell>{date.format(new Date(entry.createdAt))}</IndexTable.Cell>
                      <IndexTable.Cell><span dir="ltr">{actorLabel(entry.actor)}</span></IndexTable.Cell>
                      <IndexTable.Cell><Badge>{actionLabel(entry.action)}</Badge></IndexTable.Cell>
                      <IndexTable.Cell>
                        <div dir="ltr" style={{ whiteSpace: "normal", maxWidth: "32rem" }}>
                          {changes ? (
                            <BlockStack gap="050">
                              {changes.slice(0, 8).map((c, i) => (
                                <Text key={i} as="p" variant="bodySm">{`${c.path}: ${show(c.from)} → ${show(c.to)}`}</Text>
                              ))}
                              {changes.length > 8 ? <Text as="p" variant="bodySm" tone="subdued">{t("privacy.audit.moreChanges", { count: changes.length - 8 })}</Text> : null}
                            </BlockStack>
                          ) : (
                            <Text as="p" variant="bodySm">
                              {[entry.subjectType && entry.subjectId ? `${entry.subjectType} ${entry.subjectId}` : null,
                                ...Object.entries(details).map(([k, v]) => `${k}: ${show(v)}`)].filter(Boolean).join(" · ") || "—"}
                            </Text>
                          )}
                        </div>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  );
                })}
              </IndexTable>
            )}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  const { t } = useTranslation();
  return <RouteErrorState title={t("privacy.title")} />;
}
