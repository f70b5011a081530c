package remind

import (
	"context"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
)

// TestPush sends one "test" notification to each of the plan's devices and
// returns how many the push services accepted.
func (s *Scheduler) TestPush(ctx context.Context, token string) (int, error) {
	p, err := s.db.Plan(token)
	if err != nil {
		return 0, err
	}
	pol := Policies[model.KindTest]
	l := locale.Of(p.Language, s.defaultLang)
	msg := push.Message{
		Kind: model.KindTest, Title: l.Text("reminder.test.title"), Body: l.Text("reminder.test.body"),
		URL: s.baseURL + "/p/" + p.Token + "#/today", Tag: model.KindTest,
		Topic: Topic(p.Token, model.KindTest), TTL: pol.TTL, Urgency: pol.Urgency,
	}
	return s.sendToOwner(ctx, p.Token, msg)
}
