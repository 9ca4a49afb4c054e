// Reads iCalendar files with Mozilla's ical.js (the parser of web calendars built on it) and prints, as
// JSON, each calendar's METHOD, its VTIMEZONE ids and every event's UID with its start and end in UTC.
// Input on stdin: one iCalendar file (prints one object), or a JSON array of files (prints an array), so a
// test reads a hundred calendars in one start of node. A TZID is
// resolved only through the file's own VTIMEZONE (ical.js's timezone service is left empty), and an event
// whose TZID the file does not define is an error instead of a floating time.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);

function utc(property, event) {
  const time = event.getFirstPropertyValue(property);
  if (time === null) return null;
  const tzid = event.getFirstProperty(property).getParameter("tzid");
  if (tzid && time.zone?.tzid !== tzid) {
    throw new Error(`${property} of ${event.getFirstPropertyValue("uid")}: TZID ${tzid} not in the file`);
  }
  return time.toJSDate().toISOString().replace(/\.000Z$/, "Z");
}

function read(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents("vevent").map((event) => ({
    uid: event.getFirstPropertyValue("uid"),
    start: utc("dtstart", event),
    end: utc("dtend", event),
    status: event.getFirstPropertyValue("status"),
  }));
  const timezones = calendar.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid"));
  return { method: calendar.getFirstPropertyValue("method"), timezones, events };
}

const input = Buffer.concat(chunks).toString("utf8");
const result = input.trimStart().startsWith("[") ? JSON.parse(input).map(read) : read(input);
process.stdout.write(JSON.stringify(result));
