import { Banner, Page } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

/** Shown above every admin page until the onboarding is finished. */
export function SetupBanner({ completed, total, programEnabled }: { completed: number; total: number; programEnabled: boolean }) {
  const { t } = useTranslation();
  return (
    <Page>
      <Banner tone="warning" title={t("onboarding.banner.title")} action={{ content: t("onboarding.banner.action"), url: "/app/onboarding" }}>
        <p>{t(programEnabled ? "onboarding.banner.bodyLive" : "onboarding.banner.body", { done: completed, total })}</p>
      </Banner>
    </Page>
  );
}
