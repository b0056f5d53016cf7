import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge, Banner, BlockStack, Box, Button, Card, Checkbox, Divider, FormLayout, InlineGrid, InlineStack, Layout, List, Page, ProgressBar, Text, TextField,
} from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { useToast } from "~/components/admin-feedback";
import { RouteErrorState } from "~/components/RouteErrorState";
import { config } from "~/config.server";
import { pageTitle } from "~/i18n/page-title";
import { requireAdmin } from "~/services/admin-auth.server";
import { loadOnboarding, saveOnboardingStep } from "~/services/onboarding.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, "onboarding.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const onboarding = await loadOnboarding(shop, config().SHOPIFY_API_KEY);
  if (!onboarding) throw new Response("Shop not found", { status: 404 });
  return json(onboarding);
}

const intentSchema = z.object({ intent: z.string().min(1).max(40) });

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor } = await requireAdmin(request);
  const form = Object.fromEntries(await request.formData());
  const parsed = intentSchema.safeParse(form);
  if (!parsed.success) return json({ ok: false as const, step: "", issues: [{ path: "form", code: "invalid" as const, params: {} }] }, { status: 422 });
  const outcome = await saveOnboardingStep(shop, parsed.data.intent, form, actor);
  return json(outcome, { status: outcome.status });
}

type Screen = "pointsName" | "earning" | "reward" | "widget" | "launch";

export default function OnboardingPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const language = i18n.language.split("-")[0];
  const number = new Intl.NumberFormat(i18n.language);
  const toast = useToast();
  const [starter, setStarter] = useState(true);
  const [open, setOpen] = useState<Screen>(data.completedAt ? "launch" : data.resume);
  const [pointsName, setPointsName] = useState(data.pointsName);
  const [earning, setEarning] = useState({
    pointsPerUnit: data.earning.pointsPerUnit,
    signupEnabled: data.earning.signupEnabled,
    signupPoints: String(data.earning.signupPoints),
    birthdayEnabled: data.earning.birthdayEnabled,
    birthdayPoints: String(data.earning.birthdayPoints),
  });

  useEffect(() => {
    if (!result) return;
    if (result.ok) {
      if (result.next === "done") toast.show(t("onboarding.toast.launched"));
      else {
        toast.show(t("onboarding.toast.saved"));
        setOpen(result.next);
      }
    } else {
      toast.show(t("onboarding.toast.invalid"), { isError: true });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per answer
  }, [result]);

  const issues = result && !result.ok ? result.issues : [];
  const errorFor = (step: Screen, field: string) => {
    if (!result || result.ok || result.step !== step) return undefined;
    const found = issues.filter((issue) => issue.path === field);
    return found.length ? found.map((issue) => t(`program.errors.${issue.code}`, issue.params)).join(" ") : undefined;
  };
  const submitting = (step: Screen) => navigation.state === "submitting" && navigation.formData?.get("intent") === step;
  const done = (step: Screen) => (data.completedSteps as string[]).includes(step);
  const total = data.steps.length + 1;
  const completedCount = data.completedSteps.length + (data.completedAt ? 1 : 0);
  const missingForLaunch = issues.filter((issue) => issue.path.startsWith("steps."));

  const step = (name: Screen, index: number, summary: string | null, body: ReactNode) => {
    const isOpen = open === name;
    const finished = name === "launch" ? data.completedAt !== null : done(name);
    return (
      <Card key={name}>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h2" variant="headingMd">{t("onboarding.stepTitle", { number: index, title: t(`onboarding.steps.${name}.title`) })}</Text>
              {finished ? <Badge tone="success">{t("onboarding.done")}</Badge> : null}
            </InlineStack>
            {!isOpen ? (
              <Button variant="plain" onClick={() => setOpen(name)}
                accessibilityLabel={t("onboarding.openStep", { action: finished ? t("onboarding.edit") : t("onboarding.open"), title: t(`onboarding.steps.${name}.title`) })}>
                {finished ? t("onboarding.edit") : t("onboarding.open")}
              </Button>
            ) : null}
          </InlineStack>
          {!isOpen && summary ? <Text as="p" tone="subdued">{summary}</Text> : null}
          {isOpen ? body : null}
        </BlockStack>
      </Card>
    );
  };

  return (
    <Page title={t("onboarding.title")} subtitle={t("onboarding.subtitle")}>
      {toast.element}
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="p">{t("onboarding.progress", { done: completedCount, total })}</Text>
                <ProgressBar progress={Math.round((completedCount / total) * 100)} tone="primary" size="small" ariaLabelledBy="onboarding-progress" />
                <span id="onboarding-progress" hidden>{t("onboarding.progress", { done: completedCount, total })}</span>
              </BlockStack>
            </Card>

            {data.completedAt ? (
              <Banner tone="success" title={t("onboarding.live.title")} action={{ content: t("onboarding.live.overview"), url: "/app" }}
                secondaryAction={{ content: t("onboarding.live.program"), url: "/app/program" }}>
                <p>{t("onboarding.live.body")}</p>
              </Banner>
            ) : null}

            {step("pointsName", 1, t("onboarding.steps.pointsName.summary", { name: data.pointsName }), (
              <Form method="post">
                <FormLayout>
                  <input type="hidden" name="intent" value="pointsName" />
                  <Text as="p">{t("onboarding.steps.pointsName.body")}</Text>
                  <TextField label={t("onboarding.steps.pointsName.label")} name="pointsName" value={pointsName} onChange={setPointsName} autoComplete="off"
                    helpText={t("onboarding.steps.pointsName.help")} error={errorFor("pointsName", "pointsName")} maxLength={30} />
                  <InlineStack><Button submit variant="primary" loading={submitting("pointsName")}>{t("onboarding.continue")}</Button></InlineStack>
                </FormLayout>
              </Form>
            ))}

            {step("earning", 2, done("earning")
              ? t("onboarding.steps.earning.summary", { rate: data.earning.pointsPerUnit, currency: data.currencyCode, name: data.pointsName })
              : null, (
              <Form method="post">
                <FormLayout>
                  <input type="hidden" name="intent" value="earning" />
                  <Text as="p">{t("onboarding.steps.earning.body")}</Text>
                  <TextField label={t("onboarding.steps.earning.rate")} name="pointsPerUnit" value={earning.pointsPerUnit}
                    onChange={(v) => setEarning({ ...earning, pointsPerUnit: v })} suffix={t("program.purchase.perCurrency", { currency: data.currencyCode })}
                    autoComplete="off" error={errorFor("earning", "pointsPerUnit")} helpText={t("onboarding.steps.earning.rateHelp", { currency: data.currencyCode })} />
                  <InlineGrid columns={{ xs: 1, md: 2 }} gap="300" alignItems="center">
                    <Checkbox label={t("onboarding.steps.earning.signup")} name="signupEnabled" value="true" checked={earning.signupEnabled}
                      onChange={(v) => setEarning({ ...earning, signupEnabled: v })} />
                    <TextField label={t("onboarding.steps.earning.signupPoints")} name="signupPoints" type="number" value={earning.signupPoints}
                      onChange={(v) => setEarning({ ...earning, signupPoints: v })} autoComplete="off" error={errorFor("earning", "signupPoints")} />
                    <Checkbox label={t("onboarding.steps.earning.birthday")} name="birthdayEnabled" value="true" checked={earning.birthdayEnabled}
                      onChange={(v) => setEarning({ ...earning, birthdayEnabled: v })} />
                    <TextField label={t("onboarding.steps.earning.birthdayPoints")} name="birthdayPoints" type="number" value={earning.birthdayPoints}
                      onChange={(v) => setEarning({ ...earning, birthdayPoints: v })} autoComplete="off" error={errorFor("earning", "birthdayPoints")} />
                  </InlineGrid>
                  <Text as="p" tone="subdued">{t("onboarding.steps.earning.later")}</Text>
                  <InlineStack><Button submit variant="primary" loading={submitting("earning")}>{t("onboarding.continue")}</Button></InlineStack>
                </FormLayout>
              </Form>
            ))}

            {step("reward", 3, done("reward") ? t("onboarding.steps.reward.summary", { count: data.rewards.count }) : null, (
              <Form method="post">
                <BlockStack gap="300">
                  <input type="hidden" name="intent" value="reward" />
                  <Text as="p">{t("onboarding.steps.reward.body")}</Text>
                  {data.rewards.count > 0 ? (
                    <Text as="p">{t("onboarding.steps.reward.existing", { count: data.rewards.count })}</Text>
                  ) : (
                    <BlockStack gap="200">
                      <Checkbox label={t("onboarding.steps.reward.starter")} name="createStarterReward" value="true" checked={starter} onChange={setStarter} />
                      <List>
                        {data.rewards.starter.map((r, i) => (
                          <List.Item key={i}>
                            {r.pointsCost === null
                              ? r.title[language] ?? r.title.en
                              : t("onboarding.steps.reward.starterItem", { title: r.title[language] ?? r.title.en, count: r.pointsCost, points: number.format(r.pointsCost) })}
                          </List.Item>
                        ))}
                      </List>
                    </BlockStack>
                  )}
                  <InlineStack gap="200">
                    <Button url="/app/rewards">{t("onboarding.steps.reward.open")}</Button>
                    <Button submit variant="primary" loading={submitting("reward")}>{t("onboarding.continue")}</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            ))}

            {step("widget", 4, done("widget") ? t("onboarding.steps.widget.summary") : null, (
              <Form method="post">
                <BlockStack gap="300">
                  <input type="hidden" name="intent" value="widget" />
                  <Text as="p">{t("onboarding.steps.widget.body")}</Text>
                  <List type="number">
                    <List.Item>{t("onboarding.steps.widget.how1")}</List.Item>
                    <List.Item>{t("onboarding.steps.widget.how2")}</List.Item>
                    <List.Item>{t("onboarding.steps.widget.how3")}</List.Item>
                  </List>
                  <InlineStack gap="200">
                    <Button url={data.themeEditorUrl} target="_blank">{t("onboarding.steps.widget.open")}</Button>
                    <Button submit variant="primary" loading={submitting("widget")}>{t("onboarding.steps.widget.confirm")}</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            ))}

            {step("launch", 5, null, (
              <Form method="post">
                <BlockStack gap="300">
                  <input type="hidden" name="intent" value="launch" />
                  <Text as="p">{t("onboarding.steps.launch.body")}</Text>
                  <Box background="bg-surface-secondary" padding="300" borderRadius="200">
                    <BlockStack gap="200">
                      {(["pointsName", "earning", "reward", "widget"] as const).map((name) => (
                        <InlineStack key={name} align="space-between" gap="200">
                          <Text as="p">{t(`onboarding.steps.${name}.title`)}</Text>
                          {done(name) ? <Badge tone="success">{t("onboarding.done")}</Badge> : <Badge tone="attention">{t("onboarding.todo")}</Badge>}
                        </InlineStack>
                      ))}
                      <Divider />
                      <Text as="p">{t("onboarding.steps.launch.reviewName", { name: data.pointsName })}</Text>
                      <Text as="p">{t("onboarding.steps.launch.reviewRate", { rate: data.earning.pointsPerUnit, currency: data.currencyCode, name: data.pointsName })}</Text>
                      <Text as="p">
                        {data.earning.signupEnabled ? t("onboarding.steps.launch.reviewSignup", { count: data.earning.signupPoints, name: data.pointsName }) : t("onboarding.steps.launch.reviewSignupOff")}
                      </Text>
                      <Text as="p">
                        {data.earning.birthdayEnabled ? t("onboarding.steps.launch.reviewBirthday", { count: data.earning.birthdayPoints, name: data.pointsName }) : t("onboarding.steps.launch.reviewBirthdayOff")}
                      </Text>
                    </BlockStack>
                  </Box>
                  {missingForLaunch.length > 0 ? (
                    <Banner tone="critical">
                      {t("onboarding.steps.launch.missing", { steps: missingForLaunch.map((i) => t(`onboarding.steps.${i.path.slice("steps.".length)}.title`)).join(", ") })}
                    </Banner>
                  ) : null}
                  <InlineStack>
                    {data.completedAt && data.programEnabled ? (
                      <Badge tone="success">{t("onboarding.steps.launch.isLive")}</Badge>
                    ) : (
                      <Button submit variant="primary" loading={submitting("launch")}>{t("onboarding.steps.launch.button")}</Button>
                    )}
                  </InlineStack>
                </BlockStack>
              </Form>
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  const { t } = useTranslation();
  return <RouteErrorState title={t("onboarding.title")} />;
}
