// Runs the official Durable Streams conformance suite against the server at DS_BASE_URL.
import { runConformanceTests } from "@durable-streams/server-conformance-tests";

const baseUrl = process.env.DS_BASE_URL;
if (!baseUrl) throw new Error("DS_BASE_URL is not set");

runConformanceTests({ baseUrl, longPollTimeoutMs: 500, subscriptions: true });
