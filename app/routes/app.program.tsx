import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, SerializeFrom } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Box, Button, Card, Checkbox, ChoiceList, Divider, FormLayout, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { useToast } from "~/components/admin-feedback";
import { EarningTraceList, type TraceStepView } from "~/components/EarningTraceList";
import {
  draftFromProgram, editorFieldKeys, fieldKeyOf, issuesAt, newCampaign, newWindow, programInputFromDraft, settingsInputFromDraft,
  type EditorDraft, type FieldIssue, type WindowDraft,
} from "~/components/program/draft";
import { RouteErrorState } from "~/components/RouteErrorState";
import { UnsavedChangesBar } from "~/components/UnsavedChangesBar";
import { WEEKDAYS, type Weekday } from "~/domain/time";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { loadProgramEditor, MAX_PREVIEW_JSON_LENGTH, previewProgramEdit, saveProgramEdit } from "~/services/program-editor.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "program.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const editor = await loadProgramEditor(shop);
  if (!editor) throw new Response("Shop not found", { status: 404 });
  return json(editor);
}

const MAX_BODY_BYTES = MAX_PREVIEW_JSON_LENGTH + 256_000;
const intentSchema = z.object({ intent: z.enum(["save", "preview"]) });

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return json({ ok: false as const, error: "too_large" as const }, { status: 413 });
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return json({ ok: false as const, error: "invalid_request" as const }, { status: 400 });
  }
  const intent = intentSchema.safeParse(body);
  if (!intent.success) return json({ ok: false as const, error: "invalid_request" as const }, { status: 400 });
  const outcome = intent.data.intent === "save" ? await saveProgramEdit(shop, body, actor) : await previewProgramEdit(shop, body);
  return json({ intent: intent.data.intent, ...outcome }, { status: outcome.status });
}

// A preview or a refused save changes nothing on the server: no reload of the program.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) => {
  const result = actionResult as { ok?: boolean; intent?: string } | undefined;
  if (result && (result.ok === false || result.intent === "preview")) return false;
  return defaultShouldRevalidate;
};

const ROUNDING = ["floor", "half_up", "ceil"] as const;
type EditorData = SerializeFrom<typeof loader>;

export default function ProgramPage() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const saveFetcher = useFetcher<typeof action>();
  const previewFetcher = useFetcher<typeof action>();
  // Compared by content: a reload that brings the same program back must not reset the form.
  const serverState = JSON.stringify([data.program, data.settings]);
  const initial = useMemo(() => {
    const [program, settings] = JSON.parse(serverState) as [EditorData["program"], EditorData["settings"]];
    return draftFromProgram(program, settings);
  }, [serverState]);
  const [draft, setDraft] = useState<EditorDraft>(initial);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [conflict, setConflict] = useState(false);
  // A new version from the server (after a save) becomes the new starting point.
  useEffect(() => {
    setDraft(initial);
    setIssues([]);
  }, [initial]);

  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(initial), [draft, initial]);
  const saving = saveFetcher.state !== "idle";

  useEffect(() => {
    const result = saveFetcher.data;
    if (!result || saveFetcher.state !== "idle" || !("intent" in result)) return;
    if (result.ok && "version" in result) {
      setConflict(false);
      toast.show(result.changed > 0 ? t("program.toast.saved") : t("program.toast.unchanged"));
    } else if ("issues" in result) {
      setIssues(result.issues);
      toast.show(t("program.toast.invalid"), { isError: true });
    } else if ("error" in result && result.error === "conflict") {
      setConflict(true);
    } else {
      toast.show(t("program.toast.failed"), { isError: true });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per answer
  }, [saveFetcher.data, saveFetcher.state]);

  const save = useCallback(() => {
    setIssues([]);
    saveFetcher.submit(
      { intent: "save", version: data.version, program: programInputFromDraft(draft.program), settings: settingsInputFromDraft(draft.settings) } as never,
      { method: "post", encType: "application/json" },
    );
  }, [saveFetcher, data.version, draft]);
  const discard = useCallback(() => {
    setDraft(initial);
    setIssues([]);
  }, [initial]);

  // Immutable updates by path: `update("program.purchase.pointsPerUnit", "5")`.
  // Editing a field clears its own messages: they were about the value it had.
  const update = useCallback((path: string, value: unknown) => {
    setDraft((current) => setAtPath(current, path.split("."), value));
    setIssues((current) => current.filter((issue) => issue.path !== path && !issue.path.startsWith(`${path}.`)));
  }, []);

  const keys = useMemo(() => editorFieldKeys(draft), [draft]);
  const unplaced = issues.filter((issue) => fieldKeyOf(issue.path, keys) === null);
  const errorText = (key: string): string | undefined => {
    const found = issuesAt(issues, key);
    if (found.length === 0) return undefined;
    return found
      .map(({ issue, item }) => {
        const message = t(`program.errors.${issue.code}`, issue.params);
        return item === undefined ? message : t("program.errors.item", { item, message });
      })
      .join(" ");
  };

  const currency = data.currencyCode;
  const p = draft.program;
  const text = (key: string, label: string, value: string, options: { help?: string; prefix?: string; suffix?: string; placeholder?: string; multiline?: number; type?: "text" | "number"; ltr?: boolean } = {}) => {
    const field = (
      <TextField
        label={label}
        value={value}
        onChange={(v) => update(key, v)}
        error={errorText(key)}
        helpText={options.help}
        prefix={options.prefix}
        suffix={options.suffix}
        placeholder={options.placeholder}
        multiline={options.multiline}
        type={options.type ?? "text"}
        autoComplete="off"
      />
    );
    // Ids, dates and times read left to right in every language.
    return options.ltr ? <div dir="ltr">{field}</div> : field;
  };
  const check = (key: string, label: string, checked: boolean, help?: string) => (
    <Checkbox label={label} checked={checked} onChange={(v) => update(key, v)} helpText={help} error={errorText(key)} />
  );
  const weekdayNames = useMemo(() => {
    const format = new Intl.DateTimeFormat(i18n.language, { weekday: "short", timeZone: "UTC" });
    // 1 January 2023 was a Sunday, the first of WEEKDAYS.
    return Object.fromEntries(WEEKDAYS.map((day, i) => [day, format.format(new Date(Date.UTC(2023, 0, 1 + i)))])) as Record<Weekday, string>;
  }, [i18n.language]);

  const windowsEditor = (key: string, list: WindowDraft[]) => (
    <BlockStack gap="300">
      {list.map((w, index) => (
        <Box key={index} padding="300" borderColor="border" borderWidth="025" borderRadius="200">
          <BlockStack gap="200">
            <ChoiceList
              allowMultiple
              title={t("program.windows.days", { number: index + 1 })}
              choices={WEEKDAYS.map((day) => ({ label: weekdayNames[day], value: day }))}
              selected={w.days}
              onChange={(days) => update(`${key}.${index}.days`, WEEKDAYS.filter((d) => days.includes(d)))}
              error={errorText(`${key}.${index}.days`)}
            />
            <InlineGrid columns={2} gap="300">
              {text(`${key}.${index}.start`, t("program.windows.start"), w.start, { placeholder: "17:00", ltr: true })}
              {text(`${key}.${index}.end`, t("program.windows.end"), w.end, { placeholder: "19:00", ltr: true })}
            </InlineGrid>
            <InlineStack>
              <Button variant="plain" tone="critical" onClick={() => update(key, list.filter((_, i) => i !== index))}>
                {t("program.windows.remove", { number: index + 1 })}
              </Button>
            </InlineStack>
          </BlockStack>
        </Box>
      ))}
      <InlineStack>
        <Button onClick={() => update(key, [...list, newWindow()])}>{t("program.windows.add")}</Button>
      </InlineStack>
    </BlockStack>
  );

  const includeExclude = (key: "products" | "collections" | "productTags" | "customerTags") => (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
      {text(`program.conditions.${key}.include`, t(`program.conditions.${key}.include`), p.conditions[key].include, {
        multiline: 2, help: t(`program.conditions.${key}.help`), ltr: key === "products" || key === "collections",
      })}
      {text(`program.conditions.${key}.exclude`, t(`program.conditions.${key}.exclude`), p.conditions[key].exclude, {
        multiline: 2, ltr: key === "products" || key === "collections",
      })}
    </InlineGrid>
  );

  const section = (title: string, description: string, children: ReactNode) => (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">{title}</Text>
          <Text as="p" tone="subdued">{description}</Text>
        </BlockStack>
        {children}
      </BlockStack>
    </Card>
  );

  return (
    <Page
      title={t("program.title")}
      subtitle={t("program.subtitle")}
      titleMetadata={<Badge tone={data.programEnabled ? "success" : "attention"}>{data.programEnabled ? t("program.live") : t("program.paused")}</Badge>}
    >
      <UnsavedChangesBar
        id="program-save-bar"
        open={dirty || saving}
        saving={saving}
        message={t("program.saveBar.message")}
        saveLabel={t("program.saveBar.save")}
        discardLabel={t("program.saveBar.discard")}
        onSave={save}
        onDiscard={discard}
      />
      {toast.element}
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.storedProgramInvalid ? <Banner tone="warning" title={t("program.storedInvalid.title")}><p>{t("program.storedInvalid.body")}</p></Banner> : null}
            {conflict ? (
              <Banner tone="critical" title={t("program.conflict.title")} action={{ content: t("program.conflict.reload"), url: "/app/program" }}>
                <p>{t("program.conflict.body")}</p>
              </Banner>
            ) : null}
            {unplaced.length > 0 ? (
              <Banner tone="critical" title={t("program.errors.bannerTitle")}>
                <ul>
                  {unplaced.map((issue, i) => (
                    <li key={i}><span dir="ltr">{issue.path}</span>: {t(`program.errors.${issue.code}`, issue.params)}</li>
                  ))}
                </ul>
              </Banner>
            ) : null}

            {section(t("program.purchase.heading"), t("program.purchase.description"), (
              <FormLayout>
                {check("program.purchase.enabled", t("program.purchase.enabled"), p.purchase.enabled)}
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                  {text("program.purchase.pointsPerUnit", t("program.purchase.pointsPerUnit"), p.purchase.pointsPerUnit, {
                    suffix: t("program.purchase.perCurrency", { currency }), help: t("program.purchase.pointsPerUnitHelp"),
                  })}
                  <Select
                    label={t("program.purchase.rounding")}
                    options={ROUNDING.map((mode) => ({ label: t(`program.purchase.roundingModes.${mode}`), value: mode }))}
                    value={p.purchase.rounding}
                    onChange={(v) => update("program.purchase.rounding", v)}
                    error={errorText("program.purchase.rounding")}
                  />
                </InlineGrid>
                {text("program.purchase.minimumOrder", t("program.purchase.minimumOrder"), p.purchase.minimumOrder, {
                  suffix: currency, help: t("program.purchase.minimumOrderHelp"), placeholder: "0",
                })}
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">{t("program.purchase.subtotalHeading")}</Text>
                  {check("program.purchase.subtractDiscounts", t("program.purchase.subtractDiscounts"), p.purchase.subtractDiscounts)}
                  {check("program.purchase.includeShipping", t("program.purchase.includeShipping"), p.purchase.includeShipping)}
                  {check("program.purchase.includeTaxes", t("program.purchase.includeTaxes"), p.purchase.includeTaxes)}
                  {check("program.purchase.includeGiftCards", t("program.purchase.includeGiftCards"), p.purchase.includeGiftCards)}
                </BlockStack>
              </FormLayout>
            ))}

            {section(t("program.timing.heading"), t("program.timing.description"), (
              <FormLayout>
                <Select
                  label={t("program.timing.trigger")}
                  options={[
                    { label: t("program.timing.triggers.ORDER_PAID"), value: "ORDER_PAID" },
                    { label: t("program.timing.triggers.ORDER_FULFILLED"), value: "ORDER_FULFILLED" },
                  ]}
                  value={draft.settings.earnTrigger}
                  onChange={(v) => update("settings.earnTrigger", v)}
                  error={errorText("settings.earnTrigger")}
                />
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                  {text("settings.pendingDays", t("program.timing.pendingDays"), draft.settings.pendingDays, {
                    type: "number", suffix: t("program.timing.days"), help: t("program.timing.pendingDaysHelp"),
                  })}
                  {text("settings.pointsName", t("program.timing.pointsName"), draft.settings.pointsName, { help: t("program.timing.pointsNameHelp") })}
                </InlineGrid>
              </FormLayout>
            ))}

            {section(t("program.conditions.heading"), t("program.conditions.description"), (
              <BlockStack gap="400">
                {includeExclude("products")}
                {includeExclude("collections")}
                {includeExclude("productTags")}
                <Divider />
                {includeExclude("customerTags")}
              </BlockStack>
            ))}

            {section(t("program.when.heading"), t("program.when.description", { timezone: data.timezone }), (
              <BlockStack gap="400">
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                  {text("program.conditions.dateRange.start", t("program.when.start"), p.conditions.dateRange.start, { placeholder: "2026-12-01", ltr: true, help: t("program.when.dateHelp") })}
                  {text("program.conditions.dateRange.end", t("program.when.end"), p.conditions.dateRange.end, { placeholder: "2026-12-31", ltr: true })}
                </InlineGrid>
                <Text as="h3" variant="headingSm">{t("program.when.windowsHeading")}</Text>
                <Text as="p" tone="subdued">{t("program.when.windowsHelp")}</Text>
                {windowsEditor("program.conditions.timeWindows", p.conditions.timeWindows)}
              </BlockStack>
            ))}

            {section(t("program.caps.heading"), t("program.caps.description"), (
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                {text("program.caps.perOrderCap", t("program.caps.perOrder"), p.caps.perOrderCap, { type: "number", placeholder: t("program.caps.none") })}
                {text("program.caps.perDayCap", t("program.caps.perDay"), p.caps.perDayCap, { type: "number", placeholder: t("program.caps.none") })}
              </InlineGrid>
            ))}

            {section(t("program.campaigns.heading"), t("program.campaigns.description"), (
              <BlockStack gap="400">
                {p.multipliers.campaigns.length === 0 ? <Text as="p" tone="subdued">{t("program.campaigns.empty")}</Text> : null}
                {p.multipliers.campaigns.map((campaign, index) => {
                  const key = `program.multipliers.campaigns.${index}`;
                  return (
                    <Box key={campaign.id} padding="400" borderColor="border" borderWidth="025" borderRadius="200">
                      <BlockStack gap="300">
                        <InlineStack align="space-between" blockAlign="center">
                          <Text as="h3" variant="headingSm">{campaign.name.trim() || t("program.campaigns.untitled", { number: index + 1 })}</Text>
                          <Button variant="plain" tone="critical" onClick={() => update("program.multipliers.campaigns", p.multipliers.campaigns.filter((_, i) => i !== index))}>
                            {t("program.campaigns.remove", { name: campaign.name.trim() || index + 1 })}
                          </Button>
                        </InlineStack>
                        {check(`${key}.enabled`, t("program.campaigns.enabled"), campaign.enabled)}
                        <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                          {text(`${key}.name`, t("program.campaigns.name"), campaign.name)}
                          {text(`${key}.multiplier`, t("program.campaigns.multiplier"), campaign.multiplier, { prefix: "×", help: t("program.campaigns.multiplierHelp") })}
                          {text(`${key}.startsAt`, t("program.campaigns.startsAt"), campaign.startsAt, { placeholder: "2026-11-27", ltr: true })}
                          {text(`${key}.endsAt`, t("program.campaigns.endsAt"), campaign.endsAt, { placeholder: "2026-11-30", ltr: true })}
                        </InlineGrid>
                        <Text as="h4" variant="headingXs">{t("program.campaigns.scopeHeading")}</Text>
                        <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
                          {text(`${key}.scope.productIds`, t("program.campaigns.productIds"), campaign.scope.productIds, { multiline: 2, ltr: true })}
                          {text(`${key}.scope.collectionIds`, t("program.campaigns.collectionIds"), campaign.scope.collectionIds, { multiline: 2, ltr: true })}
                          {text(`${key}.scope.productTags`, t("program.campaigns.productTags"), campaign.scope.productTags, { multiline: 2 })}
                        </InlineGrid>
                        <Text as="h4" variant="headingXs">{t("program.campaigns.windowsHeading")}</Text>
                        {windowsEditor(`${key}.timeWindows`, campaign.timeWindows)}
                      </BlockStack>
                    </Box>
                  );
                })}
                <InlineStack>
                  <Button onClick={() => update("program.multipliers.campaigns", [...p.multipliers.campaigns, newCampaign("")])}>{t("program.campaigns.add")}</Button>
                </InlineStack>
              </BlockStack>
            ))}

            {section(t("program.segments.heading"), t("program.segments.description"), (
              <BlockStack gap="300">
                {p.multipliers.segments.map((segment, index) => (
                  <InlineGrid key={index} columns={["twoThirds", "oneThird"]} gap="300">
                    {text(`program.multipliers.segments.${index}.customerTag`, t("program.segments.tag", { number: index + 1 }), segment.customerTag)}
                    <BlockStack gap="100">
                      {text(`program.multipliers.segments.${index}.multiplier`, t("program.segments.multiplier", { number: index + 1 }), segment.multiplier, { prefix: "×" })}
                      <InlineStack>
                        <Button variant="plain" tone="critical" onClick={() => update("program.multipliers.segments", p.multipliers.segments.filter((_, i) => i !== index))}>
                          {t("program.segments.remove", { number: index + 1 })}
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  </InlineGrid>
                ))}
                <InlineStack>
                  <Button onClick={() => update("program.multipliers.segments", [...p.multipliers.segments, { customerTag: "", multiplier: "1.5" }])}>{t("program.segments.add")}</Button>
                </InlineStack>
              </BlockStack>
            ))}

            {section(t("program.actions.heading"), t("program.actions.description"), (
              <BlockStack gap="300">
                {(["signup", "newsletter", "birthday", "review"] as const).map((name) => (
                  <InlineGrid key={name} columns={{ xs: 1, md: name === "review" ? 3 : 2 }} gap="300" alignItems="center">
                    {check(`program.actions.${name}.enabled`, t(`program.actions.${name}`), p.actions[name].enabled)}
                    {text(`program.actions.${name}.points`, t("program.actions.points", { action: t(`program.actions.${name}`) }), p.actions[name].points, { type: "number" })}
                    {name === "review"
                      ? text("program.actions.review.perDayLimit", t("program.actions.perDayLimit"), p.actions.review.perDayLimit, { type: "number" })
                      : null}
                  </InlineGrid>
                ))}
              </BlockStack>
            ))}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <PreviewCard
            orders={data.previewOrders}
            fetcher={previewFetcher}
            programInput={() => programInputFromDraft(draft.program)}
            dirty={dirty}
            onIssues={setIssues}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function PreviewCard({ orders, fetcher, programInput, dirty, onIssues }: {
  orders: { orderId: string; orderName: string | null; orderedAt: string; status: string; points: number }[];
  fetcher: ReturnType<typeof useFetcher<typeof action>>;
  programInput: () => unknown;
  dirty: boolean;
  onIssues: (issues: FieldIssue[]) => void;
}) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  const [sourceKind, setSourceKind] = useState<"order" | "json">(orders.length > 0 ? "order" : "json");
  const [orderId, setOrderId] = useState(orders[0]?.orderId ?? "");
  const [pasted, setPasted] = useState("");
  const result = fetcher.data;
  const running = fetcher.state !== "idle";

  useEffect(() => {
    // The server validated the program for the preview: its answer is the current list of problems.
    if (result && fetcher.state === "idle" && "intent" in result) onIssues("issues" in result ? result.issues : []);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per answer
  }, [result, fetcher.state]);

  const run = () => {
    const source = sourceKind === "order" ? { kind: "order", orderId } : { kind: "json", json: pasted };
    fetcher.submit({ intent: "preview", program: programInput(), source } as never, { method: "post", encType: "application/json" });
  };
  const preview = result && "preview" in result ? result.preview : null;
  const previewError = result && "error" in result && "intent" in result && result.intent === "preview" ? result.error : null;
  const problems = result && "problems" in result ? result.problems : undefined;

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">{t("program.preview.heading")}</Text>
          <Text as="p" tone="subdued">{dirty ? t("program.preview.unsaved") : t("program.preview.saved")}</Text>
        </BlockStack>
        <ChoiceList
          title={t("program.preview.source")}
          choices={[
            { label: t("program.preview.pastOrder"), value: "order", disabled: orders.length === 0 },
            { label: t("program.preview.pasteJson"), value: "json" },
          ]}
          selected={[sourceKind]}
          onChange={(v) => setSourceKind(v[0] === "order" ? "order" : "json")}
        />
        {sourceKind === "order" ? (
          orders.length === 0 ? (
            <Text as="p" tone="subdued">{t("program.preview.noOrders")}</Text>
          ) : (
            <Select
              label={t("program.preview.order")}
              options={orders.map((o) => ({
                value: o.orderId,
                label: t("program.preview.orderOption", { name: o.orderName ?? o.orderId, date: date.format(new Date(o.orderedAt)), points: number.format(o.points) }),
              }))}
              value={orderId}
              onChange={setOrderId}
            />
          )
        ) : (
          <div dir="ltr">
            <TextField
              label={t("program.preview.json")}
              helpText={t("program.preview.jsonHelp")}
              value={pasted}
              onChange={setPasted}
              multiline={8}
              monospaced
              autoComplete="off"
              maxLength={MAX_PREVIEW_JSON_LENGTH}
              error={previewError === "invalid_json" ? t("program.preview.errors.invalid_json") : undefined}
            />
          </div>
        )}
        <InlineStack>
          <Button variant="primary" onClick={run} loading={running} disabled={sourceKind === "order" ? orderId === "" : pasted.trim() === ""}>
            {t("program.preview.run")}
          </Button>
        </InlineStack>
        {previewError && previewError !== "invalid_json" ? (
          <Banner tone="critical">
            <BlockStack gap="100">
              <p>{t(`program.preview.errors.${previewError}`)}</p>
              {problems?.length ? (
                <ul dir="ltr">{problems.map((problem, i) => <li key={i}><code>{problem}</code></li>)}</ul>
              ) : null}
            </BlockStack>
          </Banner>
        ) : null}
        {result && "issues" in result ? <Banner tone="critical">{t("program.preview.fixFields")}</Banner> : null}
        {preview ? (
          <BlockStack gap="300">
            <Divider />
            <Text as="p" variant="headingLg">
              {t("program.preview.result", { count: preview.points, points: number.format(preview.points) })}
            </Text>
            <Text as="p" tone="subdued">
              {t("program.preview.base", { name: preview.orderName ?? "", amount: preview.base, currency: preview.currency })}
            </Text>
            {preview.earnedBefore ? (
              <Text as="p" tone="subdued">
                {t("program.preview.before", { count: preview.earnedBefore.points, points: number.format(preview.earnedBefore.points), status: t(`member.orderStatus.${preview.earnedBefore.status}`) })}
              </Text>
            ) : null}
            {!preview.programEnabled ? <Banner tone="warning">{t("program.preview.paused")}</Banner> : null}
            <Text as="h3" variant="headingSm">{t("program.preview.why")}</Text>
            <EarningTraceList trace={preview.trace as TraceStepView[]} />
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function setAtPath<T>(target: T, path: string[], value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  if (Array.isArray(target)) {
    const copy = [...target];
    copy[Number(head)] = setAtPath(copy[Number(head)], rest, value);
    return copy as T;
  }
  const record = (target ?? {}) as Record<string, unknown>;
  return { ...record, [head]: setAtPath(record[head], rest, value) } as T;
}

export function ErrorBoundary() {
  const { t } = useTranslation();
  return <RouteErrorState title={t("program.title")} />;
}
