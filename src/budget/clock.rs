//! Local times as the budget review prints them (`2026-03-29`, `2026-03-29T02:00+02:00`),
//! written from the zoned time's fields: jiff's `strftime` would bring its whole
//! format-string printer (and its error texts) into the page for these four shapes.

use jiff::Zoned;

/// How much of the local time to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// `2026-03-29`
    Date,
    /// `2026-03-29T02:00+02:00`: the hour, with the offset.
    Hour,
    /// `2026-03-29T02:41+02:00`
    Minute,
    /// `2026-03-29T02:41:07+02:00`
    Second,
}

/// `zoned` in its own zone, as `shown` says (the offset as `±HH:MM`, as `%:z` prints it).
pub fn local(zoned: &Zoned, shown: Shown) -> String {
    let mut text = format!(
        "{:04}-{:02}-{:02}",
        zoned.year(),
        zoned.month(),
        zoned.day()
    );
    let minute = if shown == Shown::Hour {
        0
    } else {
        zoned.minute()
    };
    match shown {
        Shown::Date => return text,
        Shown::Hour | Shown::Minute => {
            text.push_str(&format!("T{:02}:{:02}", zoned.hour(), minute))
        }
        Shown::Second => text.push_str(&format!(
            "T{:02}:{:02}:{:02}",
            zoned.hour(),
            minute,
            zoned.second()
        )),
    }
    let seconds = zoned.offset().seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;
    use jiff::Timestamp;

    /// Each shape against jiff's own strftime, across zones with odd offsets and a
    /// year before 1000.
    #[test]
    fn prints_what_strftime_prints() {
        let cases = [
            ("2026-03-29T00:41:07Z", "Europe/Berlin"),
            ("2026-10-25T01:30:00Z", "Europe/Berlin"),
            ("2026-01-01T00:00:00Z", "UTC"),
            ("2026-06-30T23:59:59Z", "America/St_Johns"),
            ("2026-06-30T12:00:00Z", "Asia/Kathmandu"),
            ("2026-06-30T12:00:00Z", "Pacific/Honolulu"),
            ("0999-06-30T12:00:00Z", "UTC"),
        ];
        for (at, zone) in cases {
            let at: Timestamp = at.parse().unwrap();
            let zoned = at.to_zoned(TimeZone::get(zone).unwrap());
            for (shown, format) in [
                (Shown::Date, "%Y-%m-%d"),
                (Shown::Hour, "%Y-%m-%dT%H:00%:z"),
                (Shown::Minute, "%Y-%m-%dT%H:%M%:z"),
                (Shown::Second, "%Y-%m-%dT%H:%M:%S%:z"),
            ] {
                let want = zoned.strftime(format).to_string();
                assert_eq!(local(&zoned, shown), want, "{at} in {zone}, {format}");
            }
        }
    }
}
