/**
 * AWS SDK request-handler settings under which a call to an endpoint that does not
 * connect or does not answer fails with a TimeoutError after `timeoutMs`, and its
 * socket is destroyed. Without `throwOnRequestTimeout`, @smithy/node-http-handler (4.x)
 * only logs a warning when `requestTimeout` passes and keeps waiting: a handler's own
 * timer could give up, but the socket stayed open, and a warm readiness function whose
 * writer endpoint hung for long enough ran out of pooled connections and reported a
 * healthy writer as not answering (found by running the bundled handler through a
 * simulated outage). `socketTimeout` also ends a socket that goes idle mid-response.
 * The options: NodeHttpHandlerOptions (https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-node-http-handler;
 * "requestTimeout ... If exceeded, a warning will be emitted unless throwOnRequestTimeout=true");
 * the 50-socket default pool: https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html.
 * test/lambda/sdk-timeouts.test.ts shows both behaviours against a local endpoint.
 */
export function boundedRequests(timeoutMs: number) {
  return {
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    throwOnRequestTimeout: true,
  };
}
