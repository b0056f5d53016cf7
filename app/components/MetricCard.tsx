import { BlockStack, Card, Text } from "@shopify/polaris";

/** One figure with its label, as on the dashboard and the member page. */
export function MetricCard({ label, value, size = "heading2xl" }: { label: string; value: string; size?: "heading2xl" | "headingXl" }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
        <Text as="p" variant={size}>{value}</Text>
      </BlockStack>
    </Card>
  );
}
