/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  appDirectory: "app",
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Polaris' locale JSON is imported by the app; the Node runtime cannot import bare JSON in ESM.
  serverDependenciesToBundle: [/^@shopify\/polaris\/locales\//],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
  },
};
