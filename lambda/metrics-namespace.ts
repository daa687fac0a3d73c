/**
 * The CloudWatch namespace of every custom metric the platform publishes (EMF from the
 * handlers) and that its alarms and dashboards read. One constant for both sides.
 */
export const METRICS_NAMESPACE = 'DualRegionAnalytics';
