// @ts-check
// Days and hours in the plan's zone, not the phone's: "done today", "day 3 of 14", greetings.
import { test, equal } from './harness.js';
import { zone, dayKey, daysBetween, hourIn, relativeDay, ago, localInput, toRFC3339 } from '/shared/dates.js';

test('dayKey: the calendar day in the plan\'s zone', () => {
  equal(dayKey(new Date('2026-10-24T22:30:00Z'), 'Europe/Berlin'), '2026-10-25', '22:30 UTC in Berlin (summer time)');
  equal(dayKey(new Date('2026-10-24T22:30:00Z'), 'America/New_York'), '2026-10-24', '22:30 UTC in New York');
  equal(dayKey(new Date('2026-12-01T23:30:00Z'), 'Europe/Berlin'), '2026-12-02', '23:30 UTC in Berlin (winter time)');
  equal(dayKey(new Date('2026-12-01T22:59:00Z'), 'Europe/Berlin'), '2026-12-01', 'a minute before midnight in Berlin');
  equal(dayKey(new Date('2026-03-28T23:30:00Z'), 'Europe/Berlin'), '2026-03-29', 'the night summer time starts');
  equal(dayKey(new Date('2026-06-30T13:00:00Z'), 'Pacific/Kiritimati'), '2026-07-01', 'UTC+14');
});

test('daysBetween: calendar days from one day key to another, across a change of clocks', () => {
  equal(daysBetween('2026-03-28', '2026-03-30'), 2, 'across the start of summer time');
  equal(daysBetween('2026-10-24', '2026-10-26'), 2, 'across the end of summer time');
  equal(daysBetween('2026-12-31', '2027-01-01'), 1, 'across the new year');
  equal(daysBetween('2026-10-26', '2026-10-24'), -2, 'backwards');
});

test('hourIn: the hour of the day in the plan\'s zone, the repeated autumn hour twice', () => {
  equal(hourIn(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin'), 2, '02:30 summer time');
  equal(hourIn(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin'), 2, '02:30 winter time');
  equal(hourIn(new Date('2026-10-25T23:15:00Z'), 'Europe/Berlin'), 0, 'after midnight');
  equal(hourIn(new Date('2026-10-25T23:15:00Z'), 'UTC'), 23, 'in UTC');
});

test('zone: an unknown zone falls back to the phone\'s own', () => {
  equal(zone('Europe/Berlin'), 'Europe/Berlin', 'a known zone');
  equal(zone('Mars/Olympus_Mons'), undefined, 'an unknown zone');
  const d = new Date(2026, 5, 15, 12, 0);
  equal(dayKey(d, 'Mars/Olympus_Mons'), localInput(d).slice(0, 10), 'day key in an unknown zone');
});

test('relativeDay: today and yesterday by the plan\'s calendar', () => {
  const now = new Date('2026-10-24T22:30:00Z'); // 00:30 on the 25th in Berlin
  equal(relativeDay(new Date('2026-10-24T22:10:00Z'), 'Europe/Berlin', now), 'today', 'twenty minutes earlier');
  equal(relativeDay(new Date('2026-10-24T21:00:00Z'), 'Europe/Berlin', now), 'yesterday', 'before midnight in Berlin');
  equal(relativeDay(new Date('2026-10-24T21:00:00Z'), 'UTC', now), 'today', 'the same moment in UTC');
});

test('ago: how long ago a check-in came, for the clients list, in the workspace\'s language', () => {
  const now = Date.parse('2026-10-24T12:00:00Z');
  equal(ago('2026-10-24T11:59:30Z', now), 'now', '30 seconds');
  equal(ago('2026-10-24T11:30:00Z', now), '30 minutes ago', '30 minutes');
  equal(ago('2026-10-24T07:00:00Z', now), '5 hours ago', '5 hours');
  equal(ago('2026-10-23T06:00:00Z', now), 'yesterday', '30 hours');
  equal(ago('2026-10-21T12:00:00Z', now), '3 days ago', '72 hours');
  equal(ago('2026-10-21T12:00:00Z', now, 'de'), 'vor 3 Tagen', '72 hours in German');
  equal(ago('2026-10-23T06:00:00Z', now, 'es'), 'ayer', '30 hours in Spanish');
  equal(ago('2026-10-24T07:00:00Z', now, 'fr'), 'il y a 5 heures', '5 hours in French');
  equal(ago('2026-10-24T07:00:00Z', now, 'pt-BR'), 'há 5 horas', '5 hours in Portuguese');
});

test('localInput and toRFC3339: a datetime-local value and back', () => {
  const d = new Date(2026, 0, 5, 7, 3, 0);
  equal(localInput(d), '2026-01-05T07:03', 'the input value');
  equal(toRFC3339(localInput(d)), d.toISOString().replace('.000Z', 'Z'), 'the time sent to the server');
  equal(toRFC3339(''), '', 'an empty input');
});
