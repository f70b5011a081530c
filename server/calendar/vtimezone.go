package calendar

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"
)

// floatingLayout is a DATE-TIME without zone (a VTIMEZONE onset).
const floatingLayout = "20060102T150405"

// Timezone builds the VTIMEZONE of loc for the instants from..to from Go's
// zone database: one observance per zone period touching that range, each
// with its onset (the local time it begins, read in the offset before it),
// TZOFFSETFROM, TZOFFSETTO and TZNAME. Explicit onsets rather than RRULEs:
// they are exactly Go's rules for these dates, whatever the zone's history.
func Timezone(loc *time.Location, from, to time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	t := from.In(loc)
	for range 64 { // a few periods per year at most; the bound guards a broken zone
		start, end := t.ZoneBounds()
		name, off := t.Zone()
		prev := off
		onset := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC) // a zone that never changed
		if !start.IsZero() {
			_, prev = start.Add(-time.Second).In(loc).Zone()
			onset = start.UTC().Add(time.Duration(prev) * time.Second)
		}
		kind := ical.CompTimezoneStandard
		if t.IsDST() {
			kind = ical.CompTimezoneDaylight
		}
		obs := ical.NewComponent(kind)
		dt := ical.NewProp(ical.PropDateTimeStart)
		dt.Value = onset.Format(floatingLayout)
		obs.Props.Set(dt)
		fromProp := ical.NewProp(ical.PropTimezoneOffsetFrom)
		fromProp.Value = utcOffset(prev)
		obs.Props.Set(fromProp)
		toProp := ical.NewProp(ical.PropTimezoneOffsetTo)
		toProp.Value = utcOffset(off)
		obs.Props.Set(toProp)
		obs.Props.SetText(ical.PropTimezoneName, name)
		tz.Children = append(tz.Children, obs)
		if end.IsZero() || end.After(to) {
			break
		}
		t = end.In(loc)
	}
	return tz
}

// utcOffset writes seconds east of UTC as an RFC 5545 UTC-OFFSET (+0100, -0330, +054500).
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec%3600/60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
