// Calendar arithmetic for the coordinators' session pages: days as 'YYYY-MM-DD' strings in
// London, and the instants at which London's clocks show a given day and time (summer time
// included), so that a week runs from Monday 00:00 to the next Monday 00:00 as people there see it.

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
const longDayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
const longDateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function londonParts(ms) {
  const out = {};
  for (const part of partsFmt.formatToParts(new Date(ms))) out[part.type] = part.value;
  return out;
}

// Minutes London is ahead of UTC at the instant `ms`.
function londonOffset(ms) {
  const q = londonParts(ms);
  const wall = Date.UTC(Number(q.year), Number(q.month) - 1, Number(q.day), Number(q.hour), Number(q.minute));
  return Math.round((wall - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

export function isDay(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s || '')) return false;
  const d = new Date(`${s}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function isTime(s) {
  return /^([01]?\d|2[0-3])[:.][0-5]\d$/.test(s || '');
}

// The instant London's clocks show `day` at `time` ('HH:MM'), as a Date.
export function londonInstant(day, time = '00:00') {
  const [y, m, d] = day.split('-').map(Number);
  const [h, mi] = time.split(/[:.]/).map(Number);
  const wall = Date.UTC(y, m - 1, d, h, mi);
  let t = wall - londonOffset(wall) * 60_000;
  t = wall - londonOffset(t) * 60_000;
  return new Date(t);
}

// The London day of an instant, and its wall-clock time.
export function londonDayOf(v) {
  const q = londonParts(new Date(v).getTime());
  return `${q.year}-${q.month}-${q.day}`;
}

export function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function mondayOf(day) {
  const wd = (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -wd);
}

export const longDay = (day) => longDayFmt.format(new Date(`${day}T12:00:00Z`));
export const longDate = (day) => longDateFmt.format(new Date(`${day}T12:00:00Z`));
