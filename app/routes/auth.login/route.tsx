import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { localeFromRequest } from "~/i18n/config";
import { polarisTranslations } from "~/i18n/polaris.server";
import { login } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

type LoginErrorKey = "login.errors.missingShop" | "login.errors.invalidShop";

function loginErrorKey(errors: Awaited<ReturnType<typeof login>>): LoginErrorKey | null {
  if (errors instanceof Response) return null;
  if (errors?.shop === LoginErrorType.MissingShop) return "login.errors.missingShop";
  if (errors?.shop === LoginErrorType.InvalidShop) return "login.errors.invalidShop";
  return null;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const result = await login(request);
  if (result instanceof Response) throw result;
  return json({ error: loginErrorKey(result), polarisI18n: polarisTranslations[localeFromRequest(request)] });
}

export async function action({ request }: ActionFunctionArgs) {
  const result = await login(request);
  if (result instanceof Response) throw result;
  return json({ error: loginErrorKey(result) });
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const [shop, setShop] = useState("");
  const error = actionData?.error ?? loaderData.error;
  return (
    <PolarisAppProvider i18n={loaderData.polarisI18n}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                {t("login.title")}
              </Text>
              <TextField
                type="text"
                name="shop"
                label={t("login.shopLabel")}
                helpText={t("login.shopHelp")}
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error ? t(error) : undefined}
              />
              <Button submit variant="primary">
                {t("login.submit")}
              </Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
