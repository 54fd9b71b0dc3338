// Verifies hookcheck's signed-webhook vectors (docs/vectors/*.json) with
// the official JavaScript libraries, pinned in package.json:
//   standard-webhooks.json  npm standardwebhooks         new Webhook(secret).verify(body, headers)
//   stripe.json             npm stripe                   stripe.webhooks.constructEvent(body, header, secret, 300, undefined, now)
//   github.json             npm @octokit/webhooks-methods verify(secret, body, X-Hub-Signature-256)
// Each positive vector must verify and each negative be refused. Prints one
// line per vector a library disagrees with, then a summary line, and exits
// 1 on any disagreement.
//
// usage: node verify.mjs DIR   (DIR holds the three files)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { verify as octokitVerify } from "@octokit/webhooks-methods";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node verify.mjs DIR");
  process.exit(2);
}

const version = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

const header = (headers, name) => {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
};

const stripe = new Stripe("sk_test_vectors_not_a_key");
const realNow = Date.now;

const checkers = {
  "standard-webhooks": {
    library: `standardwebhooks@${version("standardwebhooks")}`,
    async verify(v) {
      // The library reads the clock itself: verify at the vector's now.
      Date.now = () => v.now * 1000;
      try {
        new Webhook(v.secret).verify(v.body, v.headers);
      } finally {
        Date.now = realNow;
      }
    },
  },
  stripe: {
    library: `stripe@${version("stripe")}`,
    async verify(v) {
      stripe.webhooks.constructEvent(v.body, header(v.headers, "Stripe-Signature"), v.secret, 300, undefined, v.now * 1000);
    },
  },
  github: {
    library: `@octokit/webhooks-methods@${version("@octokit/webhooks-methods")}`,
    async verify(v) {
      if (!(await octokitVerify(v.secret, v.body, header(v.headers, "X-Hub-Signature-256")))) {
        throw new Error("signature does not match");
      }
    },
  },
};

let agree = 0;
let disagree = 0;
for (const [provider, checker] of Object.entries(checkers)) {
  const vectors = JSON.parse(readFileSync(join(dir, `${provider}.json`), "utf8"));
  if (!Array.isArray(vectors) || vectors.length === 0) {
    console.log(`DISAGREE ${provider}: no vectors in ${provider}.json`);
    disagree++;
    continue;
  }
  for (const v of vectors) {
    let valid = true;
    let why = "";
    try {
      await checker.verify(v);
    } catch (e) {
      valid = false;
      why = e && e.message ? e.message : String(e);
    }
    if (valid === v.valid) {
      agree++;
      continue;
    }
    disagree++;
    console.log(
      `DISAGREE ${provider}/${v.name}: ${checker.library} says valid=${valid}${why ? ` (${why})` : ""}, the vector says valid=${v.valid}: ${v.reason}`,
    );
  }
}
console.log(`vectors: ${agree} passed, ${disagree} failed`);
process.exit(disagree === 0 ? 0 : 1);
