import { BlockStack, Card, Text } from "@shopify/polaris";

/** A figure for the period, with how it compares with the previous one and what it counts. */
export function ComparisonCard({ label, value, comparison, help, metric }: { label: string; value: string; comparison: string; help?: string; metric: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h2" variant="headingSm" tone="subdued">{label}</Text>
        <Text as="p" variant="headingXl">
          <span data-metric={metric}>{value}</span>
        </Text>
        <Text as="p" tone="subdued" variant="bodySm">{comparison}</Text>
        {help ? <Text as="p" tone="subdued" variant="bodySm">{help}</Text> : null}
      </BlockStack>
    </Card>
  );
}
