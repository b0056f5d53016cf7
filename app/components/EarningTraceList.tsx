import { List } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

export interface TraceStepView {
  code: string;
  params: Record<string, unknown>;
  pointsAfter?: number;
}

/** The earning engine's trace, one translated sentence per step (`trace.<code>` in i18n). */
export function EarningTraceList({ trace }: { trace: readonly TraceStepView[] }) {
  const { t } = useTranslation();
  return (
    <List type="number">
      {trace.map((step, index) => (
        <List.Item key={index}>{t(`trace.${step.code}`, { ...step.params, pointsAfter: step.pointsAfter })}</List.Item>
      ))}
    </List>
  );
}
