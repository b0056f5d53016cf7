import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Box, Button, Card, FormLayout, IndexTable, InlineStack, Layout, List, Page, Text, TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/i18n/page-title";
import { z } from "zod";
import { CardEmptyState } from "~/components/CardEmptyState";
import { config } from "~/config.server";
import { ApiKeyLimitError, createApiKey, listApiKeys, MAX_ACTIVE_KEYS_PER_SHOP, MAX_LABEL_LENGTH, revokeApiKey } from "~/models/api-key.server";
import { requireAdmin } from "~/services/admin-auth.server";

// Built inside the action: the limits come from a .server module, which the browser bundle stubs.
const formSchema = () => z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), label: z.string().trim().min(1, "label.required").max(MAX_LABEL_LENGTH, "label.long") }),
  z.object({ intent: z.literal("revoke"), keyId: z.string().min(1).max(40) }),
]);

type ActionData =
  | { ok: true; intent: "create"; label: string; token: string }
  | { ok: true; intent: "revoke"; label: string }
  | { ok: false; errors: Record<string, string> };

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "apiKeys.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const keys = await listApiKeys(shop);
  return json({
    limits: { activeKeys: MAX_ACTIVE_KEYS_PER_SHOP, labelLength: MAX_LABEL_LENGTH },
    endpoint: new URL("/api/v1/reviews", config().SHOPIFY_APP_URL).toString(),
    keys: keys.map((k) => ({
      id: k.id,
      label: k.label,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revoked: k.revokedAt !== null,
    })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const parsed = formSchema().safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      if (issue.path[0] === "label") errors.label ??= issue.message;
      else errors.form ??= "form.invalid";
    }
    return json<ActionData>({ ok: false, errors }, { status: 422 });
  }
  if (parsed.data.intent === "create") {
    try {
      const { key, token } = await createApiKey(shop, { label: parsed.data.label, createdBy: actor });
      return json<ActionData>({ ok: true, intent: "create", label: key.label, token });
    } catch (error) {
      if (error instanceof ApiKeyLimitError) return json<ActionData>({ ok: false, errors: { form: "form.limit" } }, { status: 422 });
      throw error;
    }
  }
  const revoked = await revokeApiKey(shop, parsed.data.keyId, actor);
  if (!revoked) return json<ActionData>({ ok: false, errors: { form: "form.notFound" } }, { status: 404 });
  return json<ActionData>({ ok: true, intent: "revoke", label: revoked.label });
}

export default function ApiKeysPage() {
  const { endpoint, keys, limits } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const [label, setLabel] = useState("");
  const [confirming, setConfirming] = useState<{ id: string; label: string } | null>(null);
  const [tokenShown, setTokenShown] = useState(true);
  useEffect(() => {
    if (result?.ok) {
      setConfirming(null);
      if (result.intent === "create") {
        setLabel("");
        setTokenShown(true);
      }
    }
  }, [result]);
  const errors: Record<string, string> = result && !result.ok ? result.errors : {};
  const errorText = (field: string) => (errors[field] ? t(`apiKeys.errors.${errors[field]}`, { limit: limits.activeKeys, max: limits.labelLength }) : undefined);
  const submitting = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const snippet = [
    `curl -X POST ${endpoint} \\`,
    `  -H "Authorization: Bearer lnk_…" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"customerId": "7421693521", "reviewId": "judgeme-481516", "productId": "8123456789", "rating": 5}'`,
  ].join("\n");

  return (
    <Page title={t("apiKeys.title")} subtitle={t("apiKeys.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok && result.intent === "create" && tokenShown ? (
              <Banner tone="warning" title={t("apiKeys.created.title", { label: result.label })} onDismiss={() => setTokenShown(false)}>
                <BlockStack gap="200">
                  <p>{t("apiKeys.created.body")}</p>
                  <div dir="ltr">
                    <TextField label={t("apiKeys.created.tokenLabel")} value={result.token} readOnly monospaced selectTextOnFocus autoComplete="off" />
                  </div>
                </BlockStack>
              </Banner>
            ) : null}
            {result?.ok && result.intent === "revoke" ? <Banner tone="success">{t("apiKeys.revoke.done", { label: result.label })}</Banner> : null}
            {errorText("form") ? <Banner tone="critical">{errorText("form")}</Banner> : null}
            {confirming ? (
              <Banner tone="critical" title={t("apiKeys.revoke.title", { label: confirming.label })} onDismiss={() => setConfirming(null)}>
                <BlockStack gap="200">
                  <p>{t("apiKeys.revoke.body")}</p>
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="keyId" value={confirming.id} />
                    <InlineStack gap="200">
                      <Button submit variant="primary" tone="critical" loading={submitting("revoke")}>{t("apiKeys.revoke.confirm")}</Button>
                      <Button onClick={() => setConfirming(null)}>{t("apiKeys.revoke.cancel")}</Button>
                    </InlineStack>
                  </Form>
                </BlockStack>
              </Banner>
            ) : null}
            <Card padding="0">
              {keys.length === 0 ? (
                <CardEmptyState heading={t("apiKeys.list.empty")} body={t("apiKeys.list.emptyBody")} />
              ) : (
                <IndexTable
                  resourceName={{ singular: t("apiKeys.list.singular"), plural: t("apiKeys.title") }}
                  itemCount={keys.length}
                  selectable={false}
                  headings={[
                    { title: t("apiKeys.list.label") },
                    { title: t("apiKeys.list.key") },
                    { title: t("apiKeys.list.created") },
                    { title: t("apiKeys.list.lastUsed") },
                    { title: t("apiKeys.list.state") },
                    { title: t("apiKeys.list.actions"), hidden: true },
                  ]}
                >
                  {keys.map((k, index) => (
                    <IndexTable.Row id={k.id} key={k.id} position={index}>
                      <IndexTable.Cell>{k.label}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <span dir="ltr"><Text as="span" fontWeight="medium">{`lnk_${k.prefix}_…`}</Text></span>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{date.format(new Date(k.createdAt))}</IndexTable.Cell>
                      <IndexTable.Cell>{k.lastUsedAt ? date.format(new Date(k.lastUsedAt)) : t("apiKeys.list.never")}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Badge tone={k.revoked ? undefined : "success"}>{k.revoked ? t("apiKeys.state.revoked") : t("apiKeys.state.active")}</Badge>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        {k.revoked ? null : (
                          <Button variant="plain" tone="critical" onClick={() => setConfirming({ id: k.id, label: k.label })}>
                            {t("apiKeys.revoke.button")}
                          </Button>
                        )}
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">{t("apiKeys.howTo.heading")}</Text>
                <Text as="p">{t("apiKeys.howTo.body")}</Text>
                <Box background="bg-surface-secondary" padding="300" borderRadius="200">
                  <pre dir="ltr" style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-all", fontFamily: "var(--p-font-family-mono)" }}>{snippet}</pre>
                </Box>
                <List>
                  <List.Item>{t("apiKeys.howTo.created")}</List.Item>
                  <List.Item>{t("apiKeys.howTo.ok")}</List.Item>
                  <List.Item>{t("apiKeys.howTo.errors")}</List.Item>
                </List>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <Form method="post">
              <FormLayout>
                <Text as="h2" variant="headingMd">{t("apiKeys.create.heading")}</Text>
                <input type="hidden" name="intent" value="create" />
                <TextField label={t("apiKeys.create.label")} name="label" value={label} onChange={setLabel} helpText={t("apiKeys.create.labelHelp")}
                  error={errorText("label")} autoComplete="off" maxLength={limits.labelLength} requiredIndicator />
                <Button submit variant="primary" loading={submitting("create")}>{t("apiKeys.create.submit")}</Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
