import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { I18nextProvider } from "react-i18next";
import { localeFromRequest, textDirection } from "~/i18n/config";
import { createI18n } from "~/i18n/i18next";
import { resources } from "~/i18n/resources.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = localeFromRequest(request);
  return json({ locale, messages: resources[locale].translation });
}

export default function App() {
  const { locale, messages } = useLoaderData<typeof loader>();
  const i18n = useMemo(() => createI18n(locale, messages), [locale, messages]);
  return (
    <html lang={locale} dir={textDirection(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <Outlet />
        </I18nextProvider>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
