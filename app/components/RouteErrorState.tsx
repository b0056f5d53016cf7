import { isRouteErrorResponse, useLocation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useTranslation } from "react-i18next";

/**
 * A page's error state. Shopify's authentication answers (redirects to re-authenticate, the
 * session-token bounce page) are thrown as responses too: those go to the library's boundary,
 * which knows how to finish them; a missing record or a failure gets a translated page.
 */
export function RouteErrorState({ title }: { title: string }) {
  const error = useRouteError();
  const location = useLocation();
  const { t } = useTranslation();
  if (isRouteErrorResponse(error) && error.status !== 404 && error.status < 500) return boundary.error(error);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page title={title}>
      <Banner tone="critical" title={notFound ? t("pageStates.errors.notFoundTitle") : t("pageStates.errors.title")}>
        <BlockStack gap="200">
          <Text as="p">{notFound ? t("pageStates.errors.notFoundBody") : t("pageStates.errors.body")}</Text>
          <div>
            <Button url={`${location.pathname}${location.search}`}>{t("pageStates.errors.retry")}</Button>
          </div>
        </BlockStack>
      </Banner>
    </Page>
  );
}
