// hookcheck's Express reference receivers for signed webhooks: per
// provider, one compliant route built on the official library and
// verifying the raw body, and broken routes that each add exactly one flaw
// found in real receivers. README.md beside this file documents every route.
//
// usage: node server.js [PORT]
//
// Environment:
//   HOOKCHECK_SIGNING_SECRET       the receiver's secret, in the provider's own
//                                  format (required): whsec_<base64> serves all
//                                  three providers at once
//   HOOKCHECK_SIGNING_SECRET_NEXT  a second secret the receiver also accepts,
//                                  as during a rotation (optional; the
//                                  one-secret route ignores it)
//   PORT                           the port (argv wins; default 0, any free port)
//   HOOKCHECK_RECEIVER_MAX_IN_FLIGHT  the 429 route's limit (default 4)
//   HOOKCHECK_RECEIVER_WORK_MS     how long the 429 route works on each
//                                  request (default 250)
//   HOOKCHECK_RECEIVER_MAX_IDS     how many event ids the routes remember in
//                                  all, the oldest forgotten first (default
//                                  100000)
//   HOOKCHECK_RECEIVER_NOW         tests only: Unix seconds the libraries take
//                                  as the current time (default the clock)
//
// It listens on 127.0.0.1 only and prints one line,
// "listening on http://127.0.0.1:PORT". Secrets are never printed.
// Every route also serves GET <route>/processed/:id, how many times it
// processed that event, as {"processed": N}: a --verify-url for SIG-09.
import { timingSafeEqual, createHash, createHmac } from "node:crypto";
import express from "express";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { verifyWithFallback as octokitVerify } from "@octokit/webhooks-methods";

const env = process.env;

function fail(msg) {
  console.error(`hookcheck node receivers: ${msg}`);
  process.exit(2);
}

const secret = env.HOOKCHECK_SIGNING_SECRET;
if (!secret) fail("HOOKCHECK_SIGNING_SECRET is not set");
const next = env.HOOKCHECK_SIGNING_SECRET_NEXT || "";
const secrets = next ? [secret, next] : [secret];

const intEnv = (name, def, min) => {
  const s = env[name];
  if (s === undefined || s === "") return def;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) fail(`${name}=${JSON.stringify(s)}: want an integer >= ${min}`);
  return n;
};
const maxInFlight = intEnv("HOOKCHECK_RECEIVER_MAX_IN_FLIGHT", 4, 1);
const workMs = intEnv("HOOKCHECK_RECEIVER_WORK_MS", 250, 0);
const maxIDs = intEnv("HOOKCHECK_RECEIVER_MAX_IDS", 100_000, 1);
const fixedNow = intEnv("HOOKCHECK_RECEIVER_NOW", 0, 0);
if (fixedNow > 0) {
  // standardwebhooks and stripe read Date.now(); a test replays vectors
  // signed at a fixed time by freezing it.
  Date.now = () => fixedNow * 1000;
}
const port = intEnv("PORT", 0, 0);
const argvPort = process.argv[2];
if (argvPort !== undefined && !/^\d{1,5}$/.test(argvPort)) fail(`port ${JSON.stringify(argvPort)}: want a number`);
const listenPort = argvPort !== undefined ? Number(argvPort) : port;

const TOLERANCE_SECONDS = 5 * 60; // the official libraries' (SW-6, ST-5)
const BODY_LIMIT = "1mb";

// A refusal: the route answers status with a short reason.
class Refused extends Error {
  constructor(message) {
    super(message);
    this.name = "Refused";
  }
}

// Body parsers. The compliant routes read the raw bytes (express.raw); the
// re-serialized ones parse JSON first (express.json), as most apps do
// globally, and lose the bytes.
const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
const parsed = express.json({ type: () => true, limit: BODY_LIMIT, strict: false });
const rawBytes = (req) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
const reserialized = (req) => (req.body === undefined ? "" : JSON.stringify(req.body));

// processed counts, per route and event id, how many times the route did
// an event's work; GET <route>/processed/:id reads it (SIG-09). Each route
// counts on its own, so one route's deliveries never make another's look
// deduplicated. Bounded: at most maxIDs ids over all routes, the oldest
// forgotten first, and an id longer than maxIDLength is kept as its
// SHA-256 (a Stripe event id comes from a body of up to BODY_LIMIT).
const maxIDLength = 128;
const processed = new Map(); // route + "\n" + id key -> count
const idKey = (route, id) =>
  `${route}\n${id.length <= maxIDLength ? id : "sha256:" + createHash("sha256").update(id).digest("hex")}`;
const processedCount = (route, id) => processed.get(idKey(route, id)) || 0;
function countProcessing(route, id) {
  const k = idKey(route, id);
  const n = processed.get(k);
  if (n !== undefined) {
    processed.set(k, n + 1); // keeps its place: eviction goes by first sight
    return;
  }
  if (processed.size >= maxIDs) processed.delete(processed.keys().next().value);
  processed.set(k, 1);
}

// What a route does with a delivery of an event id it already processed.
const Duplicates = Object.freeze({
  ONCE: "once", // acknowledge it, do not process it again (compliant)
  AGAIN: "again", // process it again: no deduplication
  CONFLICT: "409", // refuse it with 409 Conflict
});

const app = express();
app.disable("x-powered-by");
const routes = [];

// route serves POST path: check(req) returns the event id or throws; an
// accepted request is answered 200 {"received":true}, a refused one with
// refuseStatus and the reason. duplicates says what a repeated event id
// gets (Duplicates.ONCE unless the route's flaw is there); wrap, when
// given, wraps the handler. GET path/processed/:id answers
// {"processed": N}: 200 once the event was processed, 404 and 0 before.
function route(path, parser, refuseStatus, check, { duplicates = Duplicates.ONCE, wrap = (h) => h } = {}) {
  routes.push(path);
  app.post(
    path,
    parser,
    wrap(async (req, res) => {
      let id;
      try {
        id = await check(req);
      } catch (e) {
        const why = e && e.message ? e.message : String(e);
        res.status(refuseStatus).type("text/plain").send(`Webhook Error: ${why.slice(0, 200)}\n`);
        return;
      }
      // The work is recorded before the answer (in a real receiver, in
      // the transaction that starts it, under a unique constraint). Only a
      // string names an event (a Stripe body's "id" may be anything).
      if (typeof id === "string" && id !== "") {
        const seen = processedCount(path, id) > 0;
        if (seen && duplicates === Duplicates.CONFLICT) {
          res.status(409).type("text/plain").send("event already processed\n");
          return;
        }
        if (!seen || duplicates === Duplicates.AGAIN) countProcessing(path, id);
      }
      res.status(200).json({ received: true });
    }),
  );
  app.get(`${path}/processed/:id`, (req, res) => {
    const n = processedCount(path, req.params.id);
    res.status(n > 0 ? 200 : 404).json({ processed: n });
  });
  app.all(path, (_req, res) => {
    res.set("Allow", "POST").status(405).type("text/plain").send("method not allowed\n");
  });
}

const header = (req, name) => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
};

// ---- Standard Webhooks -------------------------------------------------

// The official library: new Webhook(secret).verify(payload, headers), once
// per secret held.
function swVerify(list, payload, headers) {
  let last;
  for (const s of list) {
    try {
      new Webhook(s).verify(payload, headers);
      return headers["webhook-id"];
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

// A hand-rolled check, as apps write it from the spec: the library's
// sign() gives the expected "v1,<base64>", compared with same to each
// space-separated signature; the timestamp within the tolerance only when
// tolerance is true.
function swHandRolled(req, { tolerance, same }) {
  const id = header(req, "webhook-id");
  const ts = header(req, "webhook-timestamp");
  const sig = header(req, "webhook-signature");
  if (!id || !ts || !sig) throw new Refused("Missing required headers");
  const t = parseInt(ts, 10);
  if (Number.isNaN(t)) throw new Refused("Invalid Signature Headers");
  if (tolerance) {
    const now = Math.floor(Date.now() / 1000);
    if (now - t > TOLERANCE_SECONDS) throw new Refused("Message timestamp too old");
    if (t > now + TOLERANCE_SECONDS) throw new Refused("Message timestamp too new");
  }
  const body = rawBytes(req);
  const passed = sig.split(" ");
  for (const s of secrets) {
    const expected = new Webhook(s).sign(id, new Date(t * 1000), body);
    if (passed.some((p) => same(p, expected))) {
      JSON.parse(body.toString("utf8")); // as the library does: the event must be JSON
      return id;
    }
  }
  throw new Refused("No matching signature found");
}

const constantTime = (a, b) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
// eslint-disable-next-line eqeqeq -- the flaw this route shows
const loose = (a, b) => a == b;

route("/standard-webhooks", raw, 400, (req) => swVerify(secrets, rawBytes(req), req.headers));
route("/standard-webhooks/reserialized", parsed, 400, (req) => swVerify(secrets, reserialized(req), req.headers));
route("/standard-webhooks/no-tolerance", raw, 400, (req) => swHandRolled(req, { tolerance: false, same: constantTime }));
route("/standard-webhooks/one-secret", raw, 400, (req) => swVerify([secret], rawBytes(req), req.headers));
route("/standard-webhooks/eq", raw, 400, (req) => swHandRolled(req, { tolerance: true, same: loose }));
route("/standard-webhooks/no-check", raw, 400, (req) => header(req, "webhook-id") || "");

// The 429 route verifies as the compliant one, but works workMs on each
// request and answers 429 to any that arrives while maxInFlight are in
// progress, as a concurrency limiter in front of slow processing does.
let inFlight = 0;
const limited = (h) => async (req, res) => {
  if (inFlight >= maxInFlight) {
    res.set("Retry-After", "1").status(429).type("text/plain").send("Too Many Requests\n");
    return;
  }
  inFlight++;
  try {
    await new Promise((r) => setTimeout(r, workMs));
    await h(req, res);
  } finally {
    inFlight--;
  }
};
route("/standard-webhooks/429-under-load", raw, 400, (req) => swVerify(secrets, rawBytes(req), req.headers), { wrap: limited });

// The compliant check, but the handler does the work on every delivery it
// acknowledges, as most tutorial handlers do; and one that keeps the ids
// but refuses a repeat with 409 Conflict, which the sender retries as any
// non-2xx (SIG-09).
const swCheck = (req) => swVerify(secrets, rawBytes(req), req.headers);
route("/standard-webhooks/no-dedup", raw, 400, swCheck, { duplicates: Duplicates.AGAIN });
route("/standard-webhooks/duplicate-409", raw, 400, swCheck, { duplicates: Duplicates.CONFLICT });

// ---- Stripe --------------------------------------------------------------

const stripe = new Stripe("sk_test_hookcheck_receiver_not_a_key");

// stripe.webhooks.constructEvent(payload, Stripe-Signature, secret,
// tolerance), once per secret held; the event id is the event's.
function stripeVerify(payload, sigHeader, tolerance) {
  let last;
  for (const s of secrets) {
    try {
      return stripe.webhooks.constructEvent(payload, sigHeader, s, tolerance).id;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

route("/stripe", raw, 400, (req) => stripeVerify(rawBytes(req), header(req, "stripe-signature")));
route("/stripe/parsed", parsed, 400, (req) => stripeVerify(reserialized(req), header(req, "stripe-signature")));
// tolerance 0: "Use 0 to skip timestamp tolerance verification".
route("/stripe/no-tolerance", raw, 400, (req) => stripeVerify(rawBytes(req), header(req, "stripe-signature"), 0));
route("/stripe/no-check", raw, 400, (req) => {
  try {
    return JSON.parse(rawBytes(req).toString("utf8")).id;
  } catch {
    return "";
  }
});
const stripeCheck = (req) => stripeVerify(rawBytes(req), header(req, "stripe-signature"));
route("/stripe/no-dedup", raw, 400, stripeCheck, { duplicates: Duplicates.AGAIN });
route("/stripe/duplicate-409", raw, 400, stripeCheck, { duplicates: Duplicates.CONFLICT });

// ---- GitHub --------------------------------------------------------------

// @octokit/webhooks-methods verifyWithFallback(secret, payload, signature,
// more secrets).
async function githubVerify(req, payload) {
  const sig = header(req, "x-hub-signature-256");
  if (!sig) throw new Refused("no X-Hub-Signature-256");
  if (!(await octokitVerify(secret, payload, sig, secrets.slice(1)))) throw new Refused("signature does not match");
  return header(req, "x-github-delivery") || "";
}

// The snippet many tutorials give: "sha256=" + the HMAC's hex, compared
// with == to the header.
function githubLoose(req, payload) {
  const sig = header(req, "x-hub-signature-256");
  for (const s of secrets) {
    const expected = "sha256=" + createHmac("sha256", s).update(payload).digest("hex");
    if (loose(sig, expected)) return header(req, "x-github-delivery") || "";
  }
  throw new Refused("signature does not match");
}

route("/github", raw, 401, (req) => githubVerify(req, rawBytes(req).toString("utf8")));
route("/github/reserialized", parsed, 401, (req) => githubVerify(req, reserialized(req)));
route("/github/eq", raw, 401, (req) => githubLoose(req, rawBytes(req)));
route("/github/eq-reserialized", parsed, 401, (req) => githubLoose(req, reserialized(req)));
route("/github/no-check", raw, 401, (req) => header(req, "x-github-delivery") || "");
const githubCheck = (req) => githubVerify(req, rawBytes(req).toString("utf8"));
route("/github/no-dedup", raw, 401, githubCheck, { duplicates: Duplicates.AGAIN });
route("/github/duplicate-409", raw, 401, githubCheck, { duplicates: Duplicates.CONFLICT });

// GET /routes lists the routes, for a harness to check it drives them all.
app.get("/routes", (_req, res) => res.json(routes));

// Errors of the body parsers (a body that is not JSON on a re-serialized
// route, one over the limit) are the client's: 4xx, never the stack.
// eslint-disable-next-line no-unused-vars -- Express tells error handlers by their arity
app.use((err, _req, res, _next) => {
  const status = err && Number.isInteger(err.status) && err.status >= 400 && err.status < 500 ? err.status : 500;
  res.status(status).type("text/plain").send(status === 500 ? "internal error\n" : `${err.type || "bad request"}\n`);
});

const server = app.listen(listenPort, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
server.on("error", (e) => fail(`listen: ${e.message}`));
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
