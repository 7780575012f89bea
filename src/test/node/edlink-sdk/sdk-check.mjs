// Drives Edlink's official SDK (@edlink/typescript 1.0.16), unchanged but for its origin, against
// edlink-idem's sandbox. Run by EdlinkSdkTest, which starts the sandbox and installs the SDK.
// env: SANDBOX_URL (e.g. http://127.0.0.1:8790), INTEGRATION_TOKEN, CLASS_ID, EMPTY_CLASS_ID
// Prints `ok <name>` or `FAIL <name>: <detail>` per check, and exits 1 on any failure.
import { randomUUID } from 'node:crypto';
import { Edlink, TokenSetType } from '@edlink/typescript';

const SANDBOX_URL = (process.env.SANDBOX_URL || 'http://127.0.0.1:8790').replace(/\/+$/, '');
const { INTEGRATION_TOKEN, CLASS_ID, EMPTY_CLASS_ID } = process.env;
for (const [k, v] of Object.entries({ INTEGRATION_TOKEN, CLASS_ID, EMPTY_CLASS_ID })) {
    if (!v) { console.log(`FAIL setup: env ${k} is not set`); process.exit(2); }
}

let failures = 0;
async function check(name, fn) {
    try {
        const r = await fn();
        if (r === false) throw new Error('assertion returned false');
        console.log(`ok ${name}`);
        return true;
    } catch (e) {
        failures++;
        const detail = e?.code ? `${e.code} (status ${e.status}) ${e.message}` : (e?.stack?.split('\n')[0] ?? String(e));
        console.log(`FAIL ${name}: ${detail}`.replace(/\s+/g, ' '));
        return false;
    }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function collect(gen) { const out = []; for await (const x of gen) out.push(x); return out; }

// ---- origin rewrite -------------------------------------------------------------------------
// The SDK hard-codes https://ed.link (src/types/api.ts, src/user/auth.ts) and has no base-URL
// option. Every call (graph, my, token refresh) goes through the *default* axios instance, which
// the SDK exposes as `client.axios` (BearerTokenAPI.axios = axios). A request interceptor on it
// therefore also covers Auth.refresh().
const EDLINK_ORIGIN = 'https://ed.link';
const sent = []; // "METHOD URL" of every request the SDK made, after rewrite
function installOriginRewrite(ax) {
    ax.interceptors.request.use(config => {
        if (typeof config.url === 'string' && config.url.startsWith(EDLINK_ORIGIN + '/')) {
            config.url = SANDBOX_URL + config.url.slice(EDLINK_ORIGIN.length);
        }
        config.proxy = false; // never route the sandbox through an env proxy
        sent.push(`${String(config.method).toUpperCase()} ${config.url}`);
        return config;
    });
}
const sentSince = i => sent.slice(i);

// ---- graph API --------------------------------------------------------------------------------
const edlink = new Edlink({
    // The SDK demands both even though graph calls never use them.
    client_id: 'unused-client-id',
    client_secret: 'unused-client-secret',
    log_level: 'silent'
});
const graph = edlink.use({ type: TokenSetType.Integration, access_token: INTEGRATION_TOKEN });
installOriginRewrite(graph.axios);

// Graph (1.0.16) has no `.assignments`; only User does. The Assignments class is not exported,
// so borrow its constructor from a throw-away User instance (construction makes no request) and
// bind it to the graph client: same SDK code, URL prefix /api/v2/graph.
const AssignmentsClass = edlink.use({ type: TokenSetType.Person, access_token: 'x' }).assignments.constructor;
const graphAssignments = new AssignmentsClass(graph);

const key = `sdk-check-${randomUUID()}`;
const body = {
    title: 'SDK check assignment',
    description: 'created by sdk-check.mjs',
    due_date: new Date(Date.now() + 7 * 864e5).toISOString(),
    grading_type: 'points'
};
let a1, a2;

await check('graph create with idempotency key', async () => {
    const i = sent.length;
    a1 = await graphAssignments.create(CLASS_ID, body, { idempotency: key });
    assert(a1 && typeof a1.id === 'string', `no id in ${JSON.stringify(a1)}`);
    assert(a1.title === body.title, `title ${a1.title}`);
    const [req] = sentSince(i);
    assert(req.startsWith(`POST ${SANDBOX_URL}/api/v2/graph/classes/${CLASS_ID}/assignments?`), req);
    // serialize() uses encodeURIComponent on keys too: the wire form is `%24idempotency=<key>`
    assert(new URL(req.split(' ')[1]).searchParams.get('$idempotency') === key, req);
});
await check('graph create replay with same key returns same id', async () => {
    const again = await graphAssignments.create(CLASS_ID, body, { idempotency: key });
    assert(again?.id === a1?.id, `got ${again?.id}, expected ${a1?.id}`);
});
await check('graph create without key', async () => {
    a2 = await graphAssignments.create(CLASS_ID, { ...body, title: 'SDK check assignment 2' });
    assert(a2?.id && a2.id !== a1?.id, `id ${a2?.id}`);
});
await check('graph list contains created', async () => {
    const list = await collect(graphAssignments.list(CLASS_ID));
    const ids = list.map(x => x.id);
    assert(ids.includes(a1?.id) && ids.includes(a2?.id), `ids ${JSON.stringify(ids)}`);
    assert(ids.filter(x => x === a1?.id).length === 1, 'idempotent replay created a duplicate');
});
await check('graph list pages via $next', async () => {
    // unknown option keys pass straight through to the query string, so `$first: 1` is sent as-is;
    // the SDK then follows the absolute `$next` URL verbatim.
    const i = sent.length;
    const list = await collect(graphAssignments.list(CLASS_ID, { $first: 1 }));
    const ids = list.map(x => x.id);
    assert(ids.includes(a1?.id) && ids.includes(a2?.id), `ids ${JSON.stringify(ids)}`);
    assert(sentSince(i).length >= 2, `only ${sentSince(i).length} request(s): no $next followed`);
});
await check('graph fetch by id', async () => {
    const got = await graphAssignments.fetch(CLASS_ID, a1.id);
    assert(got?.id === a1.id && got.title === body.title, JSON.stringify(got));
});
await check('graph update title', async () => {
    const upd = await graphAssignments.update(CLASS_ID, a1.id, { title: 'SDK check renamed' });
    assert(upd?.title === 'SDK check renamed', `update returned ${JSON.stringify(upd)}`);
    const got = await graphAssignments.fetch(CLASS_ID, a1.id);
    assert(got?.title === 'SDK check renamed', `fetch after update: ${got?.title}`);
});
await check('graph delete', async () => {
    await graphAssignments.delete(CLASS_ID, a1.id); // resolves on any 2xx
    let code;
    try { await graphAssignments.fetch(CLASS_ID, a1.id); } catch (e) { code = e.status; }
    assert(code === 404, `fetch after delete: expected 404, got ${code}`);
});
await check('graph create missing grading_type -> MISSING_REQUIRED_FIELD', async () => {
    const { grading_type, ...incomplete } = body;
    try {
        await graphAssignments.create(CLASS_ID, incomplete);
    } catch (e) {
        // EdlinkError: { message, status, code, errors } — code/message are copied from $errors[0]
        assert(e.code === 'MISSING_REQUIRED_FIELD', `code ${e.code}, status ${e.status}, ${e.message}`);
        return;
    }
    throw new Error('create succeeded');
});
await check('graph list of empty class is empty', async () => {
    const list = await collect(graphAssignments.list(EMPTY_CLASS_ID));
    assert(Array.isArray(list) && list.length === 0, `got ${list.length} items`);
});
if (a2?.id) await graphAssignments.delete(CLASS_ID, a2.id).catch(() => {});

// ---- user API -------------------------------------------------------------------------------
let tokens, user, tokenSet, myA;
await check('sandbox issues user token', async () => {
    const r = await fetch(`${SANDBOX_URL}/__sandbox/user-tokens`, { method: 'POST' });
    assert(r.ok, `status ${r.status}`);
    tokens = await r.json();
    for (const f of ['access_token', 'refresh_token', 'expires_in', 'client_id', 'client_secret']) {
        assert(tokens[f] !== undefined, `missing ${f}`);
    }
});
if (tokens) {
    const userEdlink = new Edlink({ client_id: tokens.client_id, client_secret: tokens.client_secret, log_level: 'silent' });
    // The SDK mutates this very object on refresh (access_token, refresh_token, expiration_date),
    // so it is how the caller learns the rotated refresh token. expiration_date MUST be set:
    // without it the SDK refreshes before every request.
    tokenSet = {
        type: TokenSetType.Person,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        token_type: tokens.token_type,
        expiration_date: new Date(Date.now() + Number(tokens.expires_in) * 1000)
    };
    user = userEdlink.use(tokenSet);

    await check('user create assignment via /my/', async () => {
        const i = sent.length;
        myA = await user.assignments.create(CLASS_ID, { ...body, title: 'SDK check (user)' }, { idempotency: `${key}-my` });
        assert(myA?.id, JSON.stringify(myA));
        const reqs = sentSince(i);
        assert(reqs.length === 1, `expected 1 request (no refresh yet), got ${JSON.stringify(reqs)}`);
        assert(reqs[0].startsWith(`POST ${SANDBOX_URL}/api/v2/my/classes/${CLASS_ID}/assignments?`), reqs[0]);
    });

    const oldAccess = tokenSet.access_token;
    const oldRefresh = tokenSet.refresh_token;
    await check('sandbox clock advance 2h', async () => {
        const r = await fetch(`${SANDBOX_URL}/__sandbox/clock`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '2h' })
        });
        assert(r.ok, `status ${r.status}`);
    });
    await check('old user token now rejected by server', async () => {
        const r = await fetch(`${SANDBOX_URL}/api/v2/my/classes/${CLASS_ID}/assignments`, {
            headers: { authorization: `Bearer ${oldAccess}` }
        });
        assert(r.status === 401, `status ${r.status}`);
    });

    // The SDK never reacts to a 401: it refreshes only *before* a request, when its own clock is
    // past expiration_date - 5 min. The sandbox clock moved but the Node clock did not, so move the
    // client's view of time by the same 2h (equivalent to the client clock advancing).
    tokenSet.expiration_date = new Date(tokenSet.expiration_date.getTime() - 2 * 3600 * 1000);

    await check('user call after expiry succeeds via SDK token refresh', async () => {
        const i = sent.length;
        const list = await collect(user.assignments.list(CLASS_ID));
        assert(list.some(x => x.id === myA?.id), `created user assignment not listed`);
        const reqs = sentSince(i);
        assert(reqs[0] === `POST ${SANDBOX_URL}/api/authentication/token`, `first request was ${reqs[0]}`);
    });
    await check('tokens rotated in caller token set', async () => {
        assert(tokenSet.access_token && tokenSet.access_token !== oldAccess, 'access_token unchanged');
        assert(tokenSet.refresh_token && tokenSet.refresh_token !== oldRefresh, 'refresh_token unchanged');
    });
    await check('user delete assignment', async () => {
        await user.assignments.delete(CLASS_ID, myA.id);
    });
}

process.exit(failures ? 1 : 0);
