"""Dumps exchange_calendars' view of XNYS and XLON for the oracle test.

`tests/calendar.rs` runs this with the interpreter of `target/oracle-venv`
(created by `bash .ci/run`) and compares every line with preflight's own
calendars.

Output, one record per line, comma-separated:

    version,<exchange_calendars version>
    session,<code>,<YYYY-MM-DD>,<open>,<close>   open/close in Unix seconds (UTC)
    closed,<code>,<YYYY-MM-DD>                   a weekday that is not a session

Usage: exchange_calendars_dump.py FIRST LAST CODE [CODE ...]
"""

import sys

import exchange_calendars
import pandas as pd


def dump(code, first, last, out):
    calendar = exchange_calendars.get_calendar(code, start=first, end=last)
    schedule = calendar.schedule.loc[first:last]
    for day, row in schedule.iterrows():
        out.write(
            "session,%s,%s,%d,%d\n"
            % (
                code,
                day.strftime("%Y-%m-%d"),
                row["open"].timestamp(),
                row["close"].timestamp(),
            )
        )
    sessions = set(schedule.index)
    for day in pd.bdate_range(first, last):
        if day not in sessions:
            out.write("closed,%s,%s\n" % (code, day.strftime("%Y-%m-%d")))


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: exchange_calendars_dump.py FIRST LAST CODE [CODE ...]")
    first, last, codes = sys.argv[1], sys.argv[2], sys.argv[3:]
    out = sys.stdout
    out.write("version,%s\n" % exchange_calendars.__version__)
    for code in codes:
        dump(code, first, last, out)


if __name__ == "__main__":
    main()
