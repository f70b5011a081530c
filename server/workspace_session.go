package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
)

// Cookie names; behind https the session cookie takes the __Host- prefix, which
// browsers accept only Secure, host-only and for path /.
const (
	sessionCookieName = "aftercare_session"
	csrfCookieName    = "aftercare_csrf"
)

func (h *handlers) sessionCookie() string {
	if h.Secure {
		return "__Host-" + sessionCookieName
	}
	return sessionCookieName
}

// me is what the workspace knows about the logged-in therapist (never the password hash).
type me struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Owner    bool   `json:"owner"`
	TimeZone string `json:"timeZone"`
	// Language is the workspace's language: the account's, else the studio's.
	Language string `json:"language"`
	// PrepareReminder: a push at 08:00 the day before each of the therapist's booked sessions.
	PrepareReminder bool `json:"prepareReminder"`
}

func (h *handlers) meOf(t model.Therapist) me {
	return me{ID: t.ID, Email: t.Email, Name: t.Name, Owner: t.Owner, TimeZone: t.TimeZone,
		Language: h.Care.TherapistLocale(t).String(), PrepareReminder: t.PrepareReminder}
}

type sessionReply struct {
	Therapist me     `json:"therapist"`
	CSRFToken string `json:"csrfToken,omitempty"`
	// Via is "session" (cookie) or "token" (Authorization: Bearer).
	Via string `json:"via"`
}

func (h *handlers) setSessionCookies(c *fiber.Ctx, secret string, sess model.Session) {
	expires := sess.CreatedAt.Add(h.Auth.MaxAge)
	c.Cookie(&fiber.Cookie{Name: h.sessionCookie(), Value: secret, Path: "/", Expires: expires,
		HTTPOnly: true, Secure: h.Secure, SameSite: fiber.CookieSameSiteLaxMode})
	// Readable by the workspace's script, which echoes it in X-CSRF-Token.
	c.Cookie(&fiber.Cookie{Name: csrfCookieName, Value: sess.CSRF, Path: "/", Expires: expires,
		Secure: h.Secure, SameSite: fiber.CookieSameSiteLaxMode})
}

func (h *handlers) clearSessionCookies(c *fiber.Ctx) {
	for _, name := range []string{h.sessionCookie(), csrfCookieName} {
		c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
			HTTPOnly: name != csrfCookieName, Secure: h.Secure, SameSite: fiber.CookieSameSiteLaxMode})
	}
}

type loginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *handlers) login(c *fiber.Ctx) error {
	in, err := bodyOf[loginInput](c, nil)
	if err != nil {
		return err
	}
	t, err := h.Auth.Login(in.Email, in.Password, clientIP(c, h.trusted))
	if err != nil {
		return err
	}
	return h.startSession(c, t, fiber.StatusOK)
}

func (h *handlers) startSession(c *fiber.Ctx, t model.Therapist, status int) error {
	secret, sess, err := h.Auth.Start(t)
	if err != nil {
		return err
	}
	h.setSessionCookies(c, secret, sess)
	return c.Status(status).JSON(sessionReply{Therapist: h.meOf(t), CSRFToken: sess.CSRF, Via: "session"})
}

func (h *handlers) getSession(c *fiber.Ctx) error {
	r := sessionReply{Therapist: h.meOf(therapistOf(c)), Via: "token"}
	if sess, ok := c.Locals(localsSession).(model.Session); ok {
		r.CSRFToken, r.Via = sess.CSRF, "session"
	}
	return c.JSON(r)
}

// logout ends the cookie's session. A still valid session needs its CSRF token, so
// another site cannot log a therapist out; a dead one just has its cookies cleared.
func (h *handlers) logout(c *fiber.Ctx) error {
	secret := c.Cookies(h.sessionCookie())
	if _, sess, err := h.Auth.Session(secret); err == nil {
		if !auth.CSRFValid(sess, c.Get(CSRFHeader)) {
			return errCSRF
		}
		if err := h.Auth.End(secret); err != nil {
			return err
		}
	}
	h.clearSessionCookies(c)
	return c.SendStatus(fiber.StatusNoContent)
}

type passwordInput struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// passwordChanged answers a password change: other browsers were logged out;
// API tokens keep working, so they are listed for the therapist to revoke.
type passwordChanged struct {
	APITokens []model.APIToken `json:"apiTokens"`
}

// changePassword also logs every other browser of this therapist out.
func (h *handlers) changePassword(c *fiber.Ctx) error {
	in, err := bodyOf[passwordInput](c, nil)
	if err != nil {
		return err
	}
	t := therapistOf(c)
	if err := h.Auth.CheckPassword(t, in.CurrentPassword, clientIP(c, h.trusted)); err != nil {
		return err
	}
	secret, _ := c.Locals(localsSecret).(string)
	tokens, err := h.Accounts.ChangePassword(t, in.NewPassword, secret)
	if err != nil {
		return err
	}
	return c.JSON(passwordChanged{APITokens: tokens})
}

type inviteView struct {
	Kind      string    `json:"kind"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (h *handlers) getInvite(c *fiber.Ctx) error {
	inv, err := h.Accounts.Invite(c.Params("secret"))
	if err != nil {
		return err
	}
	return c.JSON(inviteView{Kind: inv.Kind, Email: inv.Email, ExpiresAt: inv.ExpiresAt})
}

type acceptInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	TimeZone string `json:"timeZone"`
	// Language is the workspace's language; omitted, the browser's
	// (Accept-Language) when it is one of the supported, else the studio's.
	Language string `json:"language"`
}

// acceptInvite creates the account of a one-time link and logs it in.
func (h *handlers) acceptInvite(c *fiber.Ctx) error {
	in, err := bodyOf[acceptInput](c, nil)
	if err != nil {
		return err
	}
	lang := in.Language
	if tag, ok := locale.Requested(c.Get(fiber.HeaderAcceptLanguage)); lang == "" && ok {
		lang = tag.String() // else none: the account reads the studio's language, whatever it becomes
	}
	t, err := h.Accounts.AcceptInvite(c.Params("secret"), in.Email, in.Name, in.Password, in.TimeZone, lang)
	if err != nil {
		return err
	}
	return h.startSession(c, t, fiber.StatusCreated)
}
