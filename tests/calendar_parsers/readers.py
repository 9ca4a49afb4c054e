"""Two independent parsers that read a calendar the way calendar programs do, through the file's own
VTIMEZONE, and report every event's start and end in UTC:

- ``read_icaljs``: Mozilla's ical.js under Node (``read_ics.mjs`` beside this file; ``npm ci`` here, which
  ``make install`` runs), the parser of web calendars built on it;
- ``read_vobject``: vobject (its VTIMEZONE becomes a ``dateutil.tz.tzical`` zone), the parser of Radicale
  and other CalDAV servers.

Both refuse an event whose TZID the file does not define, so neither can fall back to the system's zone
database. Each returns, per calendar, ``{"method", "timezones", "events": [{"uid", "start", "end",
"status"}]}`` with the instants as ``2027-03-28T08:00:00Z``.
"""

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "read_ics.mjs"
ICALJS = HERE / "node_modules" / "ical.js" / "package.json"


def node_path() -> str | None:
    return shutil.which("node")


def missing_node() -> str | None:
    """Why ical.js cannot run here, or None (tests/services.py, marker ``node``)."""
    if node_path() is None:
        return "needs Node.js (apt-get install nodejs npm)"
    if not ICALJS.exists():
        return "needs ical.js (make install, or: npm ci --prefix tests/calendar_parsers)"
    return None


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_icaljs(calendars: list[bytes]) -> list[dict]:
    """Every calendar read by ical.js, in one start of node."""
    node = node_path()
    if node is None:
        raise RuntimeError(missing_node())
    payload = json.dumps([body.decode() for body in calendars])
    result = subprocess.run(
        [node, str(SCRIPT)], input=payload, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"ical.js could not read a calendar:\n{result.stderr}")
    return json.loads(result.stdout)


def _vobject_one(body: bytes) -> dict:
    import vobject
    from vobject.icalendar import TimezoneComponent, registerTzid

    calendar = vobject.readOne(body.decode(), transform=False)
    # vobject keeps one zone per TZID for the whole process (the first VTIMEZONE it saw, else pytz's zone
    # of that name): the tzinfo built from this file's own VTIMEZONEs replaces whatever is registered,
    # before its events' times are read.
    zones = {}
    for child in calendar.getChildren():
        if getattr(child, "name", "") == "VTIMEZONE":
            tzid = child.contents["tzid"][0].value
            zones[tzid] = TimezoneComponent.gettzinfo(child)
            registerTzid(tzid, zones[tzid])
    calendar.transformChildrenToNative()

    def instant(event, name: str) -> str | None:
        line = event.contents.get(name)
        if not line:
            return None
        value, params, uid = line[0].value, line[0].params, event.uid.value
        # (once read, vobject keeps the TZID parameter under another name)
        tzid = (params.get("TZID") or params.get("X-VOBJ-ORIGINAL-TZID") or [None])[0]
        assert isinstance(value, datetime) and value.tzinfo is not None, f"{name} of {uid}: floating"
        if tzid is not None:
            assert tzid in zones, f"{name} of {uid}: TZID {tzid} has no VTIMEZONE in the file"
            assert value.tzinfo is zones[tzid], f"{name} of {uid}: vobject did not use the file's VTIMEZONE"
        return utc_text(value)

    events = [
        {
            "uid": event.uid.value,
            "start": instant(event, "dtstart"),
            "end": instant(event, "dtend"),
            "status": event.status.value if "status" in event.contents else None,
        }
        for event in calendar.contents.get("vevent", [])
    ]
    method = calendar.method.value if "method" in calendar.contents else None
    return {"method": method, "timezones": list(zones), "events": events}


def read_vobject(calendars: list[bytes]) -> list[dict]:
    return [_vobject_one(body) for body in calendars]
