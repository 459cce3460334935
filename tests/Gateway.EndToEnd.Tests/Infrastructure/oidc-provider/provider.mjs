// A real OpenID provider for the federation end-to-end tests (issue 17): oidc-provider serves discovery
// (/.well-known/openid-configuration) and the JWKS over HTTPS on loopback with its own signing keys (one RSA 2048 for
// RS256, one EC P-256 for ES256). A small admin route lets a test mint a CI-job-style token with chosen claims,
// audience and lifetime, signed by the provider's current key (as GitHub Actions' or GitLab's issuer would), rotate the
// keys without a restart, and read how often discovery and the JWKS were fetched.
//
//   node provider.mjs --port N --cert chain.pem --key key.pem --admin-token T
//
// Prints one line "oidc-provider ready on https://127.0.0.1:N" when it listens; SIGTERM closes it (exit 0).
import https from 'node:https';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'admin-token': { type: 'string' },
  },
});
for (const name of ['port', 'cert', 'key', 'admin-token']) {
  if (!args[name]) {
    console.error(`missing --${name}`);
    process.exit(2);
  }
}

const port = Number(args.port);
const issuer = `https://127.0.0.1:${port}`;
const counters = { discovery: 0, jwks: 0, minted: 0 };

// A signing key: the private key object (for minting) and its JWK with a kid (for oidc-provider's keystore).
async function newKey(alg) {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(privateKey);
  jwk.kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  jwk.alg = alg;
  jwk.use = 'sig';
  return { alg, privateKey, jwk };
}

async function newKeySet() {
  return { RS256: await newKey('RS256'), ES256: await newKey('ES256') };
}

let current = await newKeySet();
let retired = []; // earlier key sets still published (rotation with keepOld)
let provider;

function buildProvider() {
  const published = [current, ...retired].flatMap((set) => [set.RS256.jwk, set.ES256.jwk]);
  const p = new Provider(issuer, {
    jwks: { keys: published },
    clients: [{ client_id: 'ci', client_secret: crypto.randomBytes(16).toString('hex'), grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'] },
  });
  p.proxy = false;
  return p;
}
provider = buildProvider();

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

// POST /admin/mint {alg, claims, audience, issuer, expiresIn, notBefore, issuedAt, unknownKey, header}
async function mint(body) {
  const alg = body.alg ?? 'RS256';
  if (alg !== 'RS256' && alg !== 'ES256') throw new Error(`alg ${alg} not offered`);
  // unknownKey: a key of the same kind that was never published (a forger's, or one the provider never had).
  const key = body.unknownKey ? await newKey(alg) : current[alg];
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, kid: key.jwk.kid, typ: 'JWT', ...(body.header ?? {}) };
  const jwt = new SignJWT({ ...(body.claims ?? {}) })
    .setProtectedHeader(header)
    .setIssuer(body.issuer ?? issuer)
    .setIssuedAt(body.issuedAt ?? now)
    .setJti(crypto.randomUUID())
    .setExpirationTime((body.issuedAt ?? now) + (body.expiresIn ?? 300));
  if (body.audience !== null) jwt.setAudience(body.audience ?? 'registry-gateway');
  if (body.notBefore !== undefined) jwt.setNotBefore(body.notBefore);
  counters.minted++;
  return { token: await jwt.sign(key.privateKey), kid: key.jwk.kid };
}

async function admin(req, res, path) {
  if (req.headers.authorization !== `Bearer ${args['admin-token']}`) return send(res, 401, { error: 'unauthorized' });
  if (req.method === 'POST' && path === '/admin/mint') return send(res, 200, await mint(await readJson(req)));
  if (req.method === 'POST' && path === '/admin/rotate') {
    // keepOld: the previous keys stay in the JWKS (a graceful rotation); otherwise they vanish at once.
    const body = await readJson(req);
    const previous = current;
    current = await newKeySet();
    retired = body.keepOld ? [previous, ...retired] : [];
    provider = buildProvider();
    return send(res, 200, { kids: [current.RS256.jwk.kid, current.ES256.jwk.kid] });
  }
  if (req.method === 'GET' && path === '/admin/state') {
    return send(res, 200, { ...counters, kids: [current.RS256.jwk.kid, current.ES256.jwk.kid], retired: retired.flatMap((s) => [s.RS256.jwk.kid, s.ES256.jwk.kid]) });
  }
  return send(res, 404, { error: 'not_found' });
}

const server = https.createServer({ cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) }, (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  if (path.startsWith('/admin/')) {
    admin(req, res, path).catch((err) => send(res, 400, { error: String(err.message ?? err) }));
    return;
  }
  if (path === '/.well-known/openid-configuration') counters.discovery++;
  if (path === '/jwks') counters.jwks++;
  provider.callback()(req, res);
});

server.listen(port, '127.0.0.1', () => console.log(`oidc-provider ready on ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
