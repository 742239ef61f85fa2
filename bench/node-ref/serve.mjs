// Starts the pinned Node reference Durable Streams server (@durable-streams/server) for scripts/bench.sh.
// Usage: node serve.mjs [--port N] [--host H] [--data-dir DIR] [--long-poll-timeout MS]
//   without --data-dir the server keeps streams in memory; with it, it is file-backed (LMDB + append-only logs).
// Prints "serving Durable Streams on <url>/v1/stream/" once listening, like ds-server.
import { DurableStreamTestServer } from "@durable-streams/server";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const options = {
  port: Number(opt("--port", "0")),
  host: opt("--host", "127.0.0.1"),
  longPollTimeout: Number(opt("--long-poll-timeout", "30000")),
};
const dataDir = opt("--data-dir", undefined);
if (dataDir) options.dataDir = dataDir;

const server = new DurableStreamTestServer(options);
const url = await server.start();
console.log(`serving Durable Streams on ${url.replace(/\/$/, "")}/v1/stream/ (${dataDir ? "file-backed at " + dataDir : "memory"})`);
const stop = async () => {
  try { await server.stop(); } finally { process.exit(0); }
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
