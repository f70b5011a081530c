// Package push delivers Web Push messages with VAPID through webpush-go: it keeps the
// studio's key pair, checks every endpoint against an allowlist of real push services
// (at subscribe and again at send, down to the dialed address), encrypts each message and
// pads it to one of a few fixed sizes, and sends through one shared HTTP client with a fair
// worker pool, retries and Retry-After handling, carrying one VAPID token per push service
// and hour. Messages can be sealed (encrypted) ahead of their due minute and kept in a
// byte-bounded SealCache, so that the minute itself only sends bytes. It knows push
// services and HTTP status codes, not plans: callers hand it a Message and a device, and
// learn whether the device accepted, failed or is gone.
package push
