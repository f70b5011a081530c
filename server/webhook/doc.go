// Package webhook sends the studio's outgoing webhooks: plan.created,
// checkin.created, plan.ended and plan.erased, to one URL the studio owner
// sets, signed as Standard Webhooks do (https://www.standardwebhooks.com) so
// receivers can use existing verifier libraries.
//
// Events are queued in the database's outbox inside the transaction of the
// change itself (store.SetEvents), so a change is never stored without its
// event, and delivered by a small pool of workers: at least once, with the
// same id and body on every attempt, retried with backoff, and resumed from
// the outbox after a restart. The URL passes the same SSRF rules as push
// endpoints (server/netguard): https only, no userinfo, no non-public IP
// literals, and a dialer that refuses non-public addresses at connect time;
// no redirects. Extra prefixes (-webhook-allow) open loopback for tests.
package webhook
