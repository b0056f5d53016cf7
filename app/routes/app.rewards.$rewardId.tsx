import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/i18n/page-title";
import { REWARD_TYPES, type RewardType } from "~/domain/rewards";
import { storefrontLocales } from "~/i18n/storefront-locales";
import { activeRedemptionCounts } from "~/models/redemption.server";
import { deleteUnusedReward, getReward, RewardChangeRefusedError, RewardNotFoundError } from "~/models/reward.server";
import { getShop } from "~/models/shop.server";
import { requireAdmin } from "~/services/admin-auth.server";
import { saveReward } from "~/services/rewards.server";

// Create or edit one reward (/app/rewards/new, /app/rewards/<id>). Inline errors per field; a
// reward with redemptions cannot be deleted, only disabled.

type ActionData = { ok: false; errors: Record<string, string> };

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));
const day = (value: string | null) => (value ? value.slice(0, 10) : "");

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "rewards.title") }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const shopRow = await getShop(shop);
  const isNew = params.rewardId === "new";
  const [reward, issued] = isNew ? [null, new Map<string, number>()] : await Promise.all([getReward(shop, params.rewardId ?? ""), activeRedemptionCounts(shop)]);
  if (!isNew && !reward) throw new Response("Reward not found", { status: 404 });
  return json({
    isNew,
    currency: shopRow?.currencyCode ?? "USD",
    primaryLocale: shopRow?.primaryLocale ?? "en",
    pointsName: shopRow?.pointsName ?? "points",
    reward: reward && {
      id: reward.id,
      type: reward.type,
      enabled: reward.enabled,
      pointsCost: text(reward.pointsCost),
      amount: text(reward.amount),
      percentage: text(reward.percentage),
      maxAmount: text(reward.maxAmount),
      variantId: text(reward.variantId),
      productTitle: text(reward.productTitle),
      sliderPointsPerUnit: text(reward.sliderPointsPerUnit),
      sliderUnitAmount: text(reward.sliderUnitAmount),
      sliderStep: text(reward.sliderStep),
      sliderMin: text(reward.sliderMin),
      sliderMax: text(reward.sliderMax),
      minimumSubtotal: text(reward.minimumSubtotal),
      startsAt: day(reward.startsAt?.toISOString() ?? null),
      endsAt: day(reward.endsAt?.toISOString() ?? null),
      stockTotal: text(reward.stockTotal),
      perCustomerLimit: text(reward.perCustomerLimit),
      codeExpiryDays: text(reward.codeExpiryDays),
      combinesWithOrder: reward.combinesWithOrder,
      combinesWithProduct: reward.combinesWithProduct,
      combinesWithShipping: reward.combinesWithShipping,
      tierId: text(reward.tierId),
      issued: issued.get(reward.id) ?? 0,
      title: reward.title as Record<string, string>,
      description: reward.description as Record<string, string>,
    },
  });
}

function parseTexts(value: FormDataEntryValue | null): unknown {
  try {
    return JSON.parse(String(value ?? "{}"));
  } catch {
    return null;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const form = await request.formData();
  const rewardId = params.rewardId === "new" ? undefined : params.rewardId;
  if (form.get("intent") === "delete" && rewardId) {
    try {
      await deleteUnusedReward(shop, rewardId, actor);
      return redirect("/app/rewards");
    } catch (error) {
      if (error instanceof RewardChangeRefusedError) return json<ActionData>({ ok: false, errors: { form: "hasRedemptions" } }, { status: 409 });
      if (error instanceof RewardNotFoundError) throw new Response("Reward not found", { status: 404 });
      throw error;
    }
  }
  const raw = { ...Object.fromEntries(form), title: parseTexts(form.get("title")), description: parseTexts(form.get("description")) };
  try {
    const saved = await saveReward(shop, raw, actor, rewardId);
    if (!saved.ok) return json<ActionData>({ ok: false, errors: saved.errors }, { status: 422 });
    return redirect("/app/rewards");
  } catch (error) {
    if (error instanceof RewardNotFoundError) throw new Response("Reward not found", { status: 404 });
    throw error;
  }
}

const FIELDS_BY_TYPE: Record<RewardType, string[]> = {
  FIXED_AMOUNT: ["pointsCost", "amount"],
  PERCENTAGE: ["pointsCost", "percentage", "maxAmount"],
  FREE_SHIPPING: ["pointsCost"],
  FREE_PRODUCT: ["pointsCost", "variantId", "productTitle"],
  POINTS_SLIDER: ["sliderPointsPerUnit", "sliderUnitAmount", "sliderMin", "sliderMax", "sliderStep"],
};

export default function RewardEditor() {
  const { isNew, reward, currency, primaryLocale, pointsName } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = result && !result.ok ? result.errors : {};
  const errorText = (field: string) => (errors[field] ? t(`rewards.errors.${errors[field]}`) : undefined);

  const [type, setType] = useState<RewardType>((reward?.type as RewardType) ?? "FIXED_AMOUNT");
  const [values, setValues] = useState<Record<string, string>>(() => {
    const initial: Record<string, string> = { codeExpiryDays: "30" };
    if (reward) {
      for (const [key, value] of Object.entries(reward)) if (typeof value === "string") initial[key] = value;
    }
    return initial;
  });
  const [flags, setFlags] = useState({
    enabled: reward?.enabled ?? true,
    combinesWithOrder: reward?.combinesWithOrder ?? false,
    combinesWithProduct: reward?.combinesWithProduct ?? false,
    combinesWithShipping: reward?.combinesWithShipping ?? true,
  });
  const [language, setLanguage] = useState(primaryLocale);
  const [titles, setTitles] = useState<Record<string, string>>(reward?.title ?? {});
  const [descriptions, setDescriptions] = useState<Record<string, string>>(reward?.description ?? {});
  const [confirmDelete, setConfirmDelete] = useState(false);

  const field = (name: string, opts: { suffix?: string; prefix?: string; type?: "number" | "text" | "date"; help?: string } = {}) => (
    <TextField
      key={name}
      label={t(`rewards.fields.${name}`)}
      name={name}
      type={opts.type ?? "text"}
      value={values[name] ?? ""}
      onChange={(v) => setValues((s) => ({ ...s, [name]: v }))}
      error={errorText(name)}
      suffix={opts.suffix}
      prefix={opts.prefix}
      helpText={opts.help}
      autoComplete="off"
    />
  );
  const moneyField = (name: string, help?: string) => field(name, { suffix: currency, help });
  const pointsField = (name: string, help?: string) => field(name, { suffix: pointsName, type: "number", help });
  const typeFields: Record<string, () => JSX.Element> = {
    pointsCost: () => pointsField("pointsCost"),
    amount: () => moneyField("amount"),
    percentage: () => field("percentage", { suffix: "%", type: "number" }),
    maxAmount: () => moneyField("maxAmount", t("rewards.help.maxAmount")),
    variantId: () => field("variantId", { help: t("rewards.help.variantId") }),
    productTitle: () => field("productTitle"),
    sliderPointsPerUnit: () => pointsField("sliderPointsPerUnit", t("rewards.help.sliderRate")),
    sliderUnitAmount: () => moneyField("sliderUnitAmount"),
    sliderMin: () => pointsField("sliderMin"),
    sliderMax: () => pointsField("sliderMax"),
    sliderStep: () => pointsField("sliderStep"),
  };
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") !== "delete";
  const languageOptions = storefrontLocales.map((l) => ({ label: `${l}${titles[l] ? " ✓" : ""}`, value: l }));

  return (
    <Page
      title={isNew ? t("rewards.newTitle") : (titles[primaryLocale] || t("rewards.editTitle"))}
      backAction={{ content: t("rewards.title"), url: "/app/rewards" }}
    >
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="title" value={JSON.stringify(titles)} />
        <input type="hidden" name="description" value={JSON.stringify(descriptions)} />
        {Object.entries(flags).map(([name, on]) => <input key={name} type="hidden" name={name} value={on ? "true" : "false"} />)}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              {Object.keys(errors).length > 0 ? <Banner tone="critical">{errors.form ? t(`rewards.errors.${errors.form}`) : t("rewards.errors.fixFields")}</Banner> : null}
              <Card>
                <FormLayout>
                  <Text as="h2" variant="headingMd">{t("rewards.sections.reward")}</Text>
                  <Select
                    label={t("rewards.fields.type")}
                    name="type"
                    options={REWARD_TYPES.map((value) => ({ value, label: t(`rewards.types.${value}`) }))}
                    value={type}
                    onChange={(v) => setType(v as RewardType)}
                    error={errorText("type")}
                    disabled={!isNew}
                  />
                  {FIELDS_BY_TYPE[type].map((name) => typeFields[name]())}
                </FormLayout>
              </Card>
              <Card>
                <FormLayout>
                  <Text as="h2" variant="headingMd">{t("rewards.sections.texts")}</Text>
                  <Select label={t("rewards.fields.language")} options={languageOptions} value={language} onChange={setLanguage} helpText={t("rewards.help.language", { locale: primaryLocale })} />
                  <TextField label={t("rewards.fields.title")} value={titles[language] ?? ""} onChange={(v) => setTitles((s) => ({ ...s, [language]: v }))}
                    error={errorText("title")} autoComplete="off" maxLength={255} requiredIndicator={language === primaryLocale} />
                  <TextField label={t("rewards.fields.description")} value={descriptions[language] ?? ""} onChange={(v) => setDescriptions((s) => ({ ...s, [language]: v }))}
                    error={errorText("description")} autoComplete="off" multiline={3} maxLength={1000} />
                </FormLayout>
              </Card>
              <Card>
                <FormLayout>
                  <Text as="h2" variant="headingMd">{t("rewards.sections.limits")}</Text>
                  <FormLayout.Group>
                    {moneyField("minimumSubtotal")}
                    {field("codeExpiryDays", { type: "number", suffix: t("rewards.days"), help: t("rewards.help.codeExpiry") })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("stockTotal", { type: "number", help: reward ? t("rewards.help.stockIssued", { issued: reward.issued }) : t("rewards.help.stock") })}
                    {field("perCustomerLimit", { type: "number", help: t("rewards.help.perCustomer") })}
                  </FormLayout.Group>
                  <FormLayout.Group>
                    {field("startsAt", { type: "date" })}
                    {field("endsAt", { type: "date" })}
                  </FormLayout.Group>
                  {field("tierId", { help: t("rewards.help.tier") })}
                </FormLayout>
              </Card>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{t("rewards.sections.status")}</Text>
                  <Checkbox label={t("rewards.fields.enabled")} checked={flags.enabled} onChange={(v) => setFlags((s) => ({ ...s, enabled: v }))} />
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{t("rewards.sections.combinations")}</Text>
                  <Checkbox label={t("rewards.fields.combinesWithOrder")} checked={flags.combinesWithOrder} onChange={(v) => setFlags((s) => ({ ...s, combinesWithOrder: v }))} />
                  <Checkbox label={t("rewards.fields.combinesWithProduct")} checked={flags.combinesWithProduct} onChange={(v) => setFlags((s) => ({ ...s, combinesWithProduct: v }))} />
                  <Checkbox label={t("rewards.fields.combinesWithShipping")} checked={flags.combinesWithShipping} onChange={(v) => setFlags((s) => ({ ...s, combinesWithShipping: v }))} />
                </BlockStack>
              </Card>
              <InlineStack gap="200" align="end">
                <Button url="/app/rewards">{t("rewards.cancel")}</Button>
                <Button submit variant="primary" loading={saving}>{t("rewards.save")}</Button>
              </InlineStack>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </Form>
      {!isNew ? (
        <div style={{ marginTop: 24 }}>
          {confirmDelete ? (
            <Banner tone="critical" title={t("rewards.delete.title")} onDismiss={() => setConfirmDelete(false)}>
              <Form method="post">
                <input type="hidden" name="intent" value="delete" />
                <BlockStack gap="200">
                  <p>{t("rewards.delete.body")}</p>
                  <InlineStack gap="200">
                    <Button submit tone="critical" variant="primary">{t("rewards.delete.confirm")}</Button>
                    <Button onClick={() => setConfirmDelete(false)}>{t("rewards.cancel")}</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </Banner>
          ) : (
            <Button tone="critical" variant="plain" onClick={() => setConfirmDelete(true)}>{t("rewards.delete.button")}</Button>
          )}
        </div>
      ) : null}
    </Page>
  );
}
