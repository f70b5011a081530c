// An integration with aftercare, as a booking system or CRM would build one, on
// nothing but the server's OpenAPI document:
//
//   npm ci
//   AFTERCARE_URL=http://localhost:8080 npm run generate   # → aftercare.d.ts
//   npm run build                                          # tsc --strict → build/
//   AFTERCARE_URL=http://localhost:8080 AFTERCARE_EMAIL=… AFTERCARE_PASSWORD=… \
//     HOOK_PORT=9100 npm start
//
// It logs in once with the owner's password to make an API token (as an
// integration keeps one), then works with the token alone: it sets the studio's
// webhook to its own receiver, creates plans, reads one back, pages through the
// clients list, and verifies the signature and timestamp of every delivery the
// way the README's "Webhooks" section says. The server must allow the receiver
// (`-webhook-allow http://127.0.0.1:9100/`: http and loopback are refused
// otherwise). It prints one JSON line of what it saw and exits 0, or names
// what went wrong and exits 1. TestIntegratorClientFromTheDocument
// (cmd/aftercare) runs it against the real server.

import createClient from "openapi-fetch";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { components, paths, webhooks } from "./aftercare.js";

type ClientSummary = components["schemas"]["ClientSummary"];
type Body<W extends keyof webhooks> = webhooks[W]["post"]["requestBody"]["content"]["application/json"];
type Event = Body<"plan.created"> | Body<"checkin.created"> | Body<"plan.ended"> | Body<"plan.erased"> | Body<"ping">;

const env = (name: string, fallback?: string): string => {
	const v = process.env[name] ?? fallback;
	if (v === undefined || v === "") throw new Error(`set ${name}`);
	return v;
};
const baseUrl = env("AFTERCARE_URL", "http://localhost:8080");
const hookPort = Number(env("HOOK_PORT", "9100"));

function fail(what: string, detail?: unknown): never {
	throw new Error(detail === undefined ? what : `${what}: ${JSON.stringify(detail)}`);
}

// --- Verifying a delivery (README "Webhooks" → Verify) ---------------------

const toleranceSeconds = 5 * 60;

/** verify says whether a delivery is the server's: the HMAC-SHA256 of
 * `{id}.{timestamp}.{raw body}` under the secret's key matches one of the
 * `v1,…` signatures, and the timestamp is within 5 minutes of our clock. */
export function verify(secret: string, id: string, timestamp: string, signatures: string, body: Buffer, now = Date.now()): boolean {
	const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
	if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return false;
	const want = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
	return signatures.split(" ").some((s) => {
		if (!s.startsWith("v1,")) return false;
		const got = Buffer.from(s.slice(3), "base64");
		return got.length === want.length && timingSafeEqual(got, want);
	});
}

// --- The receiver ----------------------------------------------------------

type Delivery = { id: string; timestamp: string; signature: string; raw: Buffer; event: Event };

function header(req: IncomingMessage, name: string): string {
	const v = req.headers[name];
	return typeof v === "string" ? v : "";
}

/** receiver takes deliveries on 127.0.0.1:port, answers 401 to one that does
 * not verify (the server retries it) and 204 to one that does, and drops a
 * repeated webhook-id (delivery is at least once). */
function receiver(port: number, secret: () => string) {
	const seen = new Map<string, Delivery>();
	const refused: string[] = [];
	const waiting: Array<() => void> = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => {
			const body = Buffer.concat(chunks);
			const id = header(req, "webhook-id");
			if (!verify(secret(), id, header(req, "webhook-timestamp"), header(req, "webhook-signature"), body)) {
				refused.push(id);
				res.writeHead(401).end();
				return;
			}
			if (!seen.has(id)) {
				const event = JSON.parse(body.toString("utf8")) as Event;
				seen.set(id, { id, timestamp: header(req, "webhook-timestamp"), signature: header(req, "webhook-signature"), raw: body, event });
				waiting.splice(0).forEach((wake) => wake());
			}
			res.writeHead(204).end();
		});
	});
	return {
		listen: () => new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok)),
		close: () => new Promise<void>((ok) => server.close(() => ok())),
		refused,
		/** until waits until pick finds what it wants among the deliveries, at most ms. */
		async until<T>(what: string, pick: (d: Delivery[]) => T | undefined, ms = 10_000): Promise<T> {
			const deadline = Date.now() + ms;
			for (;;) {
				const found = pick([...seen.values()]);
				if (found !== undefined) return found;
				const left = deadline - Date.now();
				if (left <= 0) fail(`no ${what} within ${ms} ms; received ${[...seen.values()].map((d) => d.event.type).join(", ") || "nothing"}, refused ${refused.length}`);
				await new Promise<void>((wake) => {
					const t = setTimeout(wake, left);
					waiting.push(() => (clearTimeout(t), wake()));
				});
			}
		},
	};
}

// --- The integration -------------------------------------------------------

async function main(): Promise<void> {
	// 1. Log in with the password once, to make the integration's API token.
	const session = createClient<paths>({ baseUrl });
	const login = await session.POST("/api/session", {
		body: { email: env("AFTERCARE_EMAIL"), password: env("AFTERCARE_PASSWORD") },
	});
	if (!login.data) fail(`log in answered ${login.response.status}`, login.error);
	const cookie = login.response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
	const csrf = login.data.csrfToken ?? fail("the login answer has no csrfToken");
	const cookieAuth = { Cookie: cookie, "X-CSRF-Token": csrf };
	const made = await session.POST("/api/tokens", { body: { name: "booking-system" }, headers: cookieAuth });
	if (!made.data) fail(`make API token answered ${made.response.status}`, made.error);
	const out = await session.DELETE("/api/session", { headers: cookieAuth });
	if (out.response.status !== 204) fail(`log out answered ${out.response.status}`);

	// 2. From here on, the API token alone.
	const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${made.data.token}` } });
	const me = await api.GET("/api/session");
	if (!me.data || me.data.via !== "token") fail("GET /api/session with the token", me.error ?? me.data);

	// 3. The studio's webhook, to our receiver: the secret comes in this answer only.
	let secret = "";
	const hooks = receiver(hookPort, () => secret);
	await hooks.listen();
	try {
		const saved = await api.PUT("/api/admin/webhook", {
			body: { url: `http://127.0.0.1:${hookPort}/aftercare`, events: ["plan.created"], includeNotes: false },
		});
		if (!saved.data?.secret) fail(`save webhook answered ${saved.response.status}`, saved.error);
		secret = saved.data.secret;
		const ping = await api.POST("/api/admin/webhook/test");
		if (!ping.data) fail(`test ping answered ${ping.response.status}`, ping.error);
		const pingId = ping.data.id;
		const pinged = await hooks.until("verified ping", (ds) => ds.find((d) => d.id === pingId && d.event.type === "ping"));
		// The check refuses what it must: a changed body, another id, a stale timestamp.
		const { id, timestamp, signature, raw } = pinged;
		if (verify(secret, id, timestamp, signature, Buffer.concat([raw, Buffer.from(" ")])) ||
			verify(secret, "msg_other", timestamp, signature, raw) ||
			verify(secret, id, timestamp, signature, raw, (Number(timestamp) + toleranceSeconds + 1) * 1000)) {
			fail("verify accepts a delivery it must refuse");
		}

		// 4. Plans for three clients, from the first routine.
		const routines = await api.GET("/api/routines", { params: { query: { lang: "en" } } });
		const routine = routines.data?.[0] ?? fail("no routine", routines.error);
		const names = ["Sam", "Alex", "Robin"];
		const tokens: string[] = [];
		for (const clientName of names) {
			const created = await api.POST("/api/plans", {
				body: { clientName, routineId: routine.id, timeZone: "Europe/Berlin", stretchTime: "19:00", days: 14, notes: "From the booking system" },
			});
			if (created.response.status !== 201 || !created.data) fail(`create plan answered ${created.response.status}`, created.error);
			tokens.push(created.data.token);
		}

		// 5. Read one back.
		const first = tokens[0] ?? fail("no plan");
		const plan = await api.GET("/api/plans/{token}", { params: { path: { token: first } } });
		if (!plan.data) fail(`read plan answered ${plan.response.status}`, plan.error);
		if (plan.data.clientName !== "Sam" || plan.data.routine.id !== routine.id || plan.data.timeZone !== "Europe/Berlin" || plan.data.days !== 14) {
			fail("the plan read back differs from the one created", plan.data);
		}

		// 6. The clients list, two a page, following `next` to the end.
		const listed: ClientSummary[] = [];
		let pages = 0;
		let cursor = "";
		do {
			const query: paths["/api/clients"]["get"]["parameters"]["query"] = { limit: 2, status: "attention,active" };
			if (cursor !== "") query.cursor = cursor;
			const page = await api.GET("/api/clients", { params: { query } });
			if (!page.data) fail(`clients page answered ${page.response.status}`, page.error);
			listed.push(...page.data.items);
			cursor = page.data.next;
			pages++;
		} while (cursor !== "" && pages < 10);
		const found = listed.map((c) => c.token).sort();
		if (pages !== 2 || JSON.stringify(found) !== JSON.stringify([...tokens].sort())) {
			fail(`clients list: ${pages} pages with ${found.length} plans, want 2 pages with the ${tokens.length} created`);
		}
		const search = await api.GET("/api/clients", { params: { query: { q: "alex" } } });
		const alex = search.data?.items ?? fail("search", search.error);
		if (alex.length !== 1 || alex[0]?.clientName !== "Alex") fail("q=alex found", alex);

		// 7. Each plan.created delivery, verified, one per plan, naming no client.
		const created = await hooks.until("plan.created for every plan", (ds) => {
			const events = ds.flatMap((d) => (d.event.type === "plan.created" ? [d.event as Body<"plan.created">] : []));
			return events.length >= tokens.length ? events : undefined;
		});
		const planIds = new Set(created.map((e) => e.data.planId));
		if (planIds.size !== tokens.length || [...planIds].some((id) => !id.startsWith("pln_"))) fail("plan.created planIds", [...planIds]);
		if (created.some((e) => e.data.routineId !== routine.id || e.data.timeZone !== "Europe/Berlin")) fail("plan.created data", created);
		if (hooks.refused.length > 0) fail("deliveries that did not verify", hooks.refused);

		console.log(JSON.stringify({ therapist: me.data.therapist.email, plans: tokens.length, pages, planCreated: created.length, ping: pingId }));
	} finally {
		await hooks.close();
	}
}

main().catch((err: unknown) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
