import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { Banner, BlockStack, InlineStack, Page } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { useTranslation } from "react-i18next";
import { config } from "~/config.server";
import { localeFromRequest } from "~/i18n/config";
import { polarisTranslations } from "~/i18n/polaris.server";
import { requireAdmin } from "~/services/admin-auth.server";
import { NavigationProgress } from "~/components/admin-feedback";
import { SetupBanner } from "~/components/SetupBanner";
import { onboardingBannerState, onboardingRedirect } from "~/services/onboarding.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const onboarding = await onboardingBannerState(admin.shop);
  const toOnboarding = onboardingRedirect(request, onboarding);
  if (toOnboarding) throw redirect(toOnboarding);
  return json({
    onboarding,
    apiKey: config().SHOPIFY_API_KEY,
    embedded: !admin.demo,
    demoShop: admin.demo ? admin.shop : null,
    locale: localeFromRequest(request),
    // Only this language's Polaris strings travel to the browser.
    polarisI18n: polarisTranslations[localeFromRequest(request)],
  });
}

export default function AppLayout() {
  const { apiKey, embedded, demoShop, polarisI18n, onboarding } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey} i18n={polarisI18n}>
      {embedded ? (
        <NavMenu>
          <Link to="/app" rel="home">
            {t("nav.home")}
          </Link>
          <Link to="/app/members">{t("nav.members")}</Link>
          <Link to="/app/rewards">{t("nav.rewards")}</Link>
          <Link to="/app/program">{t("nav.program")}</Link>
          <Link to="/app/settings/api-keys">{t("nav.apiKeys")}</Link>
          <Link to="/app/privacy">{t("nav.privacy")}</Link>
          {onboarding && !onboarding.done ? <Link to="/app/onboarding">{t("nav.onboarding")}</Link> : null}
        </NavMenu>
      ) : (
        // Same column as the pages below it.
        <header>
          <Page>
            <BlockStack gap="300">
              <Banner tone="info" title={t("demo.bannerTitle")}>
                <p>{t("demo.bannerBody", { shop: demoShop })}</p>
              </Banner>
              {/* App Bridge's navigation lives in the Shopify admin; the demo shows its own. */}
              <nav aria-label={t("nav.label")}>
                <InlineStack gap="400">
                  <Link to="/app">{t("nav.home")}</Link>
                  <Link to="/app/members">{t("nav.members")}</Link>
                  <Link to="/app/rewards">{t("nav.rewards")}</Link>
                  <Link to="/app/program">{t("nav.program")}</Link>
                  <Link to="/app/settings/api-keys">{t("nav.apiKeys")}</Link>
                  <Link to="/app/privacy">{t("nav.privacy")}</Link>
                  {onboarding && !onboarding.done ? <Link to="/app/onboarding">{t("nav.onboarding")}</Link> : null}
                </InlineStack>
              </nav>
            </BlockStack>
          </Page>
        </header>
      )}
      <NavigationProgress />
      {/* Landmarks: inside the Shopify admin the page is the app's main content. */}
      <main>
        {onboarding && !onboarding.done && !pathname.startsWith("/app/onboarding") ? <SetupBanner completed={onboarding.completed} total={onboarding.total} programEnabled={onboarding.programEnabled} /> : null}
        <Outlet />
      </main>
    </AppProvider>
  );
}

// Shopify needs Remix to catch its auth responses (redirects, 401s) and pass their headers on.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
