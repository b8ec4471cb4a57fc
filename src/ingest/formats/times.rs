//! Times in log cells, and how a file writes them: Unix seconds or milliseconds, RFC 3339 /
//! ISO 8601 with an offset, and spreadsheet-style dates and times without a zone
//! (`2026-01-01 08:02:03`, `1/5/26 8:02`), read only in the zone the reviewer states and,
//! for day-first or month-first dates, only in the order the reviewer states.
//! Neither the zone nor the order is ever guessed: a wrong guess moves rows across the
//! incident window, which is the time-window mismatch this tool exists to catch.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::Timestamp;
use rust_decimal::prelude::ToPrimitive;

use crate::decimal::{parse_decimal_as, quote, NumberFormat};

/// Unix times at or above this are milliseconds: as seconds they would be past the year
/// 5000, as milliseconds it is March 1973. new-api writes seconds; some clones document
/// milliseconds (reference/formats.md §6, pitfall 9).
const MILLISECONDS_FROM: i128 = 100_000_000_000;

/// The zone the reviewer states for times written without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatedZone {
    /// `+08:00`: the same offset all year.
    Offset(Offset),
    /// An IANA zone (`Asia/Shanghai`, `Europe/Berlin`), with its daylight-saving rules.
    Named(ZoneName),
}

/// An IANA zone name held inline, so the ingest rules stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ZoneName {
    bytes: [u8; 48],
    len: u8,
}

impl ZoneName {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("UTC")
    }
}

impl std::fmt::Debug for ZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StatedZone {
    /// `+08:00`, `-0500`, `Z`, `UTC`, or an IANA name such as `Asia/Shanghai` (any
    /// letter case); empty is None.
    pub fn parse(text: &str) -> Result<Option<StatedZone>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
            return Ok(Some(StatedZone::Offset(Offset::UTC)));
        }
        if text.starts_with(['+', '-']) {
            return parse_offset(text).map(|o| Some(StatedZone::Offset(o)));
        }
        let unknown = || {
            format!(
                "expected a UTC offset such as +08:00 or a time zone such as Asia/Shanghai, but found {}",
                quote(text)
            )
        };
        let zone = jiff::tz::db().get(text).map_err(|_| unknown())?;
        let name = zone.iana_name().unwrap_or(text);
        let mut bytes = [0; 48];
        let stored = bytes.get_mut(..name.len()).ok_or_else(unknown)?;
        stored.copy_from_slice(name.as_bytes());
        Ok(Some(StatedZone::Named(ZoneName {
            bytes,
            len: name.len() as u8,
        })))
    }

    /// The zone as the setting writes it (what [`StatedZone::parse`] reads back).
    pub fn to_text(self) -> String {
        match self {
            StatedZone::Offset(offset) => {
                let seconds = offset.seconds();
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
            }
            StatedZone::Named(name) => name.as_str().to_string(),
        }
    }

    pub fn time_zone(self) -> TimeZone {
        match self {
            StatedZone::Offset(offset) => TimeZone::fixed(offset),
            StatedZone::Named(name) => jiff::tz::db().get(name.as_str()).unwrap_or(TimeZone::UTC),
        }
    }
}

fn parse_offset(text: &str) -> Result<Offset, String> {
    let fail = || {
        format!(
            "expected a UTC offset such as +08:00 or -05:00 (or a time zone such as Asia/Shanghai), but found {}",
            quote(text)
        )
    };
    let (sign, rest) = match text.as_bytes()[0] {
        b'+' => (1, &text[1..]),
        _ => (-1, &text[1..]),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| fail())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| fail())?;
    if hours > 14 || minutes > 59 {
        return Err(fail());
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).map_err(|_| fail())
}

/// Which comes first in dates written with the day and month before the year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// Only year-first dates (`2026-01-05`, `2026/01/05`) are read; `1/5/26` is refused.
    #[default]
    YearFirst,
    /// `1/5/26` is 5 January 2026 (United States).
    MonthFirst,
    /// `5/1/26` and `05.01.2026` are 5 January 2026 (most other places).
    DayFirst,
}

impl DateOrder {
    pub const ALL: [DateOrder; 3] = [
        DateOrder::YearFirst,
        DateOrder::MonthFirst,
        DateOrder::DayFirst,
    ];

    /// The setting's text: "" (year first), `month/day/year` or `day/month/year`.
    pub fn name(self) -> &'static str {
        match self {
            DateOrder::YearFirst => "",
            DateOrder::MonthFirst => "month/day/year",
            DateOrder::DayFirst => "day/month/year",
        }
    }

    pub fn parse(text: &str) -> Result<DateOrder, String> {
        let text = text.trim().to_ascii_lowercase();
        let order = match text.as_str() {
            "" | "year/month/day" | "y/m/d" => DateOrder::YearFirst,
            "month/day/year" | "m/d/y" | "mm/dd/yyyy" => DateOrder::MonthFirst,
            "day/month/year" | "d/m/y" | "dd/mm/yyyy" => DateOrder::DayFirst,
            _ => {
                return Err(format!(
                    "expected month/day/year or day/month/year (or nothing, for year-first dates only), but found {}",
                    quote(&text)
                ))
            }
        };
        Ok(order)
    }
}

/// How one file writes its cells, as the reviewer stated it in the settings.
#[derive(Clone, Debug, Default)]
pub struct CellFormat {
    /// Where times without a zone were written; None refuses them.
    pub zone: Option<TimeZone>,
    pub dates: DateOrder,
    pub numbers: NumberFormat,
}

/// Reads a log time (see the module comment). Unix times: below `MILLISECONDS_FROM`
/// seconds, from it milliseconds; written in the file's number format, with an exact
/// fraction if any.
pub fn parse_time(text: &str, format: &CellFormat) -> Result<Timestamp, String> {
    let at = parse_any_time(text, format)?;
    if at == Timestamp::MIN {
        // Kept for rows that state no time (`newapi::UNTIMED`): no log writes it.
        return Err(format!(
            "expected a time after the earliest one there is, but found {}",
            quote(text.trim())
        ));
    }
    Ok(at)
}

fn parse_any_time(text: &str, format: &CellFormat) -> Result<Timestamp, String> {
    // Every row's time: trimmed without decoding a character where it can be.
    let text = crate::ingest::text::trim(text);
    // Nearly every row: plain digits, read without going through a Decimal.
    if !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) {
        let value: i64 = text.parse().unwrap_or_default();
        let at = if i128::from(value) >= MILLISECONDS_FROM {
            Timestamp::from_millisecond(value)
        } else {
            Timestamp::from_second(value)
        };
        return at.map_err(|_| unix_invalid(text));
    }
    if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        if let Ok(value) = parse_decimal_as(text, format.numbers) {
            return unix(value, text);
        }
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let civil = civil(text, format.dates)?;
    let Some(zone) = &format.zone else {
        return Err(format!(
            "expected a time with a zone (2026-05-11T08:00:00Z), but found {}; state the zone these times were written in under \"Times without a zone\"",
            quote(text)
        ));
    };
    match zone.to_ambiguous_timestamp(civil).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset
            .to_timestamp(civil)
            .map_err(|_| format!("expected a time that exists, but found {}", quote(text))),
        AmbiguousOffset::Gap { .. } => Err(format!(
            "expected a time that exists in {}, but found {}, which the clocks skipped when daylight saving time began",
            zone_label(zone),
            quote(text)
        )),
        AmbiguousOffset::Fold { .. } => Err(format!(
            "expected a time that happens once in {}, but found {}, which happened twice when daylight saving time ended; the log does not say which",
            zone_label(zone),
            quote(text)
        )),
    }
}

fn zone_label(zone: &TimeZone) -> String {
    zone.iana_name().unwrap_or("the stated zone").to_string()
}

fn unix_invalid(text: &str) -> String {
    format!(
        "expected a Unix time in seconds or milliseconds, but found {}",
        quote(text)
    )
}

fn unix(value: rust_decimal::Decimal, text: &str) -> Result<Timestamp, String> {
    let invalid = || unix_invalid(text);
    let whole = value.trunc().to_i128().ok_or_else(invalid)?;
    let per_unit = if whole.abs() >= MILLISECONDS_FROM {
        1_000_000
    } else {
        1_000_000_000
    };
    let nanos = crate::decimal::exact_mul(value, rust_decimal::Decimal::from(per_unit))
        .filter(|n| n.fract().is_zero())
        .ok_or_else(invalid)?;
    let nanos = nanos.to_i128().ok_or_else(invalid)?;
    Timestamp::from_nanosecond(nanos).map_err(|_| invalid())
}

/// A date and time without a zone: year first (`2026-01-01 08:02:03`, `2026/01/01 9:30`,
/// `2026-01-01T08:02`), or day/month first in the stated order (`1/5/26 8:02 PM`,
/// `05.01.2026 20:02:03`). Two-digit years are 20xx: these are logs of AI APIs.
fn civil(text: &str, order: DateOrder) -> Result<DateTime, String> {
    let unreadable = || {
        format!(
            "expected a time as Unix seconds or with a zone (2026-05-11T08:00:00Z), but found {}",
            quote(text)
        )
    };
    let (date, clock) = match text.split_once([' ', 'T']) {
        Some((date, clock)) => (date, clock.trim()),
        None => (text, ""),
    };
    let fields: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [first, second, third] = fields[..] else {
        return Err(unreadable());
    };
    let number = |field: &str| -> Option<i16> {
        let ok = (1..=4).contains(&field.len()) && field.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| field.parse().ok()).flatten()
    };
    let (Some(a), Some(b), Some(c)) = (number(first), number(second), number(third)) else {
        return Err(unreadable());
    };
    let year = |y: i16, field: &str| if field.len() <= 2 { 2000 + y } else { y };
    let (y, m, d) = match (first.len(), order) {
        (3.., _) => (a, b, c),
        (_, DateOrder::YearFirst) => {
            return Err(format!(
                "expected a date with the year first (2026-01-05), but found {}; say whether these dates are month/day/year or day/month/year under \"Dates in the files\"",
                quote(text)
            ))
        }
        (_, DateOrder::MonthFirst) => (year(c, third), a, b),
        (_, DateOrder::DayFirst) => (year(c, third), b, a),
    };
    let date = i8::try_from(m)
        .ok()
        .zip(i8::try_from(d).ok())
        .and_then(|(m, d)| Date::new(y, m, d).ok())
        .ok_or_else(|| format!("expected a date that exists, but found {}", quote(text)))?;
    let time = if clock.is_empty() {
        Time::midnight()
    } else {
        clock_time(clock).ok_or_else(unreadable)?
    };
    Ok(date.to_datetime(time))
}

/// `8:02`, `08:02:03`, `08:02:03.250`, with an optional `AM`/`PM`.
fn clock_time(text: &str) -> Option<Time> {
    let upper = text.to_ascii_uppercase();
    let (clock, half) = match upper.split_once(' ') {
        Some((clock, "AM")) => (clock, Some(0)),
        Some((clock, "PM")) => (clock, Some(12)),
        Some(_) => return None,
        None => (upper.as_str(), None),
    };
    let mut parts = clock.split(':');
    let hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let (second, nanos) = match parts.next() {
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let nanos = if fraction.is_empty() {
                0
            } else if fraction.len() <= 9 && fraction.bytes().all(|b| b.is_ascii_digit()) {
                format!("{fraction:0<9}").parse().ok()?
            } else {
                return None;
            };
            (whole.parse().ok()?, nanos)
        }
        None => (0, 0),
    };
    if parts.next().is_some() {
        return None;
    }
    let hour = match half {
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(add) => hour % 12 + add,
        None => hour,
    };
    Time::new(hour, minute, second, nanos).ok()
}

/// Accepts RFC 3339 with `Z` or an offset; a time without a zone is refused, because
/// guessing the zone is exactly the time-window mismatch this tool exists to catch.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    text.parse::<Timestamp>().map_err(|_| {
        format!("expected a UTC time like 2026-05-11T08:00:00Z (or with an offset such as +08:00), but found {}", quote(text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(zone: &str, dates: DateOrder) -> CellFormat {
        CellFormat {
            zone: StatedZone::parse(zone).unwrap().map(StatedZone::time_zone),
            dates,
            numbers: NumberFormat::Plain,
        }
    }

    #[test]
    fn times_table() {
        use DateOrder::*;
        let ok = [
            ("1767225723", "", YearFirst, "2026-01-01T00:02:03Z"),
            ("1767225723000", "", YearFirst, "2026-01-01T00:02:03Z"),
            ("1767225723.25", "", YearFirst, "2026-01-01T00:02:03.25Z"),
            ("1767225723.0", "", YearFirst, "2026-01-01T00:02:03Z"),
            (
                "2026-01-01T08:02:03+08:00",
                "",
                YearFirst,
                "2026-01-01T00:02:03Z",
            ),
            (
                "2026-01-01 00:02:03+00:00",
                "",
                YearFirst,
                "2026-01-01T00:02:03Z",
            ),
            (
                "2026-01-01 08:02:03",
                "+08:00",
                YearFirst,
                "2026-01-01T00:02:03Z",
            ),
            (
                "2026/01/01 08:02",
                "Asia/Shanghai",
                YearFirst,
                "2026-01-01T00:02:00Z",
            ),
            ("1/5/26 8:02", "UTC", MonthFirst, "2026-01-05T08:02:00Z"),
            (
                "1/5/2026 8:02:03 PM",
                "UTC",
                MonthFirst,
                "2026-01-05T20:02:03Z",
            ),
            (
                "12/5/26 12:10 AM",
                "UTC",
                MonthFirst,
                "2026-12-05T00:10:00Z",
            ),
            ("5/1/26 8:02", "UTC", DayFirst, "2026-01-05T08:02:00Z"),
            (
                "05.01.2026 20:02:03.5",
                "UTC",
                DayFirst,
                "2026-01-05T20:02:03.5Z",
            ),
            // Berlin is +01:00 in winter and +02:00 in summer.
            (
                "2026-01-15 12:00",
                "europe/berlin",
                YearFirst,
                "2026-01-15T11:00:00Z",
            ),
            (
                "2026-07-15 12:00",
                "Europe/Berlin",
                YearFirst,
                "2026-07-15T10:00:00Z",
            ),
        ];
        for (text, zone, order, want) in ok {
            let at = parse_time(text, &format(zone, order));
            assert_eq!(at, Ok(want.parse().unwrap()), "{text} in {zone}");
        }
        let bad = [
            ("2026-01-01 08:02:03", "", YearFirst, "expected a time with a zone (2026-05-11T08:00:00Z), but found \"2026-01-01 08:02:03\"; state the zone these times were written in under \"Times without a zone\""),
            ("1/5/26 8:02", "UTC", YearFirst, "expected a date with the year first (2026-01-05), but found \"1/5/26 8:02\"; say whether these dates are month/day/year or day/month/year under \"Dates in the files\""),
            ("2/30/26 8:02", "UTC", MonthFirst, "expected a date that exists, but found \"2/30/26 8:02\""),
            ("2026-03-29 02:30", "Europe/Berlin", YearFirst, "expected a time that exists in Europe/Berlin, but found \"2026-03-29 02:30\", which the clocks skipped when daylight saving time began"),
            ("2026-10-25 02:30", "Europe/Berlin", YearFirst, "expected a time that happens once in Europe/Berlin, but found \"2026-10-25 02:30\", which happened twice when daylight saving time ended; the log does not say which"),
            ("1767225723.0000000001", "", YearFirst, "expected a Unix time in seconds or milliseconds, but found \"1767225723.0000000001\""),
            ("999999999999999999", "", YearFirst, "expected a Unix time in seconds or milliseconds, but found \"999999999999999999\""),
            ("yesterday", "UTC", YearFirst, "expected a time as Unix seconds or with a zone (2026-05-11T08:00:00Z), but found \"yesterday\""),
            ("1/5/26 13:00 PM", "UTC", MonthFirst, "expected a time as Unix seconds or with a zone (2026-05-11T08:00:00Z), but found \"1/5/26 13:00 PM\""),
        ];
        for (text, zone, order, want) in bad {
            assert_eq!(
                parse_time(text, &format(zone, order)).unwrap_err(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn the_earliest_time_is_kept_for_rows_without_one() {
        let earliest = Timestamp::MIN.to_string();
        assert_eq!(
            parse_time(&earliest, &CellFormat::default()),
            Err(format!(
                "expected a time after the earliest one there is, but found \"{earliest}\""
            ))
        );
        let next = Timestamp::MIN.checked_add(jiff::SignedDuration::from_secs(1));
        let next = next.unwrap().to_string();
        assert!(parse_time(&next, &CellFormat::default()).is_ok());
    }

    #[test]
    fn grouped_unix_times_follow_the_number_format() {
        let german = CellFormat {
            numbers: NumberFormat::PointThousandsCommaDecimal,
            ..CellFormat::default()
        };
        let at = parse_time("1.767.225.723", &german).unwrap();
        assert_eq!(at, "2026-01-01T00:02:03Z".parse().unwrap());
    }

    #[test]
    fn zone_setting_table() {
        let ok = [
            ("", None),
            ("Z", Some("+00:00")),
            ("+08:00", Some("+08:00")),
            ("-0530", Some("-05:30")),
            ("asia/shanghai", Some("Asia/Shanghai")),
            ("UTC", Some("+00:00")),
        ];
        for (text, want) in ok {
            let zone = StatedZone::parse(text).unwrap();
            assert_eq!(zone.map(StatedZone::to_text).as_deref(), want, "{text}");
            if let Some(zone) = zone {
                assert_eq!(StatedZone::parse(&zone.to_text()), Ok(Some(zone)));
            }
        }
        let bad = [
            ("Mars/Olympus", "expected a UTC offset such as +08:00 or a time zone such as Asia/Shanghai, but found \"Mars/Olympus\""),
            ("+8", "expected a UTC offset such as +08:00 or -05:00 (or a time zone such as Asia/Shanghai), but found \"+8\""),
            ("+15:00", "expected a UTC offset such as +08:00 or -05:00 (or a time zone such as Asia/Shanghai), but found \"+15:00\""),
        ];
        for (text, want) in bad {
            assert_eq!(StatedZone::parse(text).unwrap_err(), want, "{text}");
        }
        for order in DateOrder::ALL {
            assert_eq!(DateOrder::parse(order.name()), Ok(order));
        }
        assert!(DateOrder::parse("dd.mm.yyyy").is_err());
    }
}
