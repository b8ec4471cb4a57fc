//! The review frame: who owns the incident and who signs it off (roles, sanitized),
//! the finance time zone with the window shown in it, the forecast compared with the
//! expected and recorded figures, and the rows the window buffer holds, by side.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::crosscheck::Listing;
use crate::decimal::serde_str;
use crate::figures::Figures;
use crate::ingest::{Stream, Window};
use crate::sanitize;
use crate::settings::Role;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// Roles as outputs write them (one that looks like a person is hashed); None when
    /// none is given.
    pub incident_owner: Option<String>,
    pub finance_reviewer: Option<String>,
    /// The IANA zone finance reports in, recorded apart from the UTC window.
    pub finance_time_zone: Option<String>,
    pub window_in_finance_zone: Option<ZonedWindow>,
    pub forecast: Option<ForecastOut>,
    pub window_buffer: Option<Buffer>,
    /// The review's own problems, in words (a zone that names none, a role that looks
    /// like a person): warnings, never a reason the figures are not computed.
    pub warnings: Vec<String>,
}

/// The incident window in the finance zone, daylight saving applied at each end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZonedWindow {
    /// RFC 9557: `2026-05-11T16:00:00+08:00[Asia/Shanghai]`.
    pub start: String,
    pub end: String,
    /// "16:00 to 18:00 on 2026-05-11 (Asia/Shanghai, UTC+08:00)".
    pub words: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForecastOut {
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub currency: String,
    /// The forecast's pricing source, sanitized (a URL without its query, a name).
    pub pricing_source: String,
    /// Whether the forecast priced with the very source the rate card cites; None when
    /// it names no source.
    pub same_pricing_source: Option<bool>,
    /// Expected − forecast and recorded − forecast; None when that figure is not
    /// computed or the forecast is in another currency than the bill.
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub expected_over_forecast: Option<Decimal>,
    #[serde(serialize_with = "serde_str::option::serialize")]
    pub recorded_over_forecast: Option<Decimal>,
}

/// The rows the window buffer holds, per stream and side (excluded as outside the
/// window, never priced).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Buffer {
    pub minutes: u32,
    pub streams: Vec<BufferStream>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BufferStream {
    pub stream: Stream,
    pub before_start: Listing,
    pub after_end: Listing,
}

fn role(role: &Role) -> Option<String> {
    (!role.text.is_empty()).then(|| sanitize::role(&role.text))
}

pub(super) fn frame(figures: &Figures) -> Frame {
    let settings = &figures.settings;
    let review = &settings.review;
    let zone = review.finance_zone.as_ref();
    let window_in_finance_zone = match (settings.window, zone) {
        (Some(window), Some(name)) => zoned(window, name),
        _ => None,
    };
    Frame {
        incident_owner: role(&review.incident_owner),
        finance_reviewer: role(&review.finance_reviewer),
        finance_time_zone: zone.cloned(),
        window_in_finance_zone,
        forecast: forecast(figures),
        window_buffer: buffer(figures),
        // Through the sanitizer: a warning quotes what was typed.
        warnings: review
            .problems
            .iter()
            .map(|p| sanitize::free_text(&p.to_string()))
            .collect(),
    }
}

/// "UTC+08:00", "UTC−04:00".
fn offset_words(zoned: &jiff::Zoned) -> String {
    let seconds = zoned.offset().seconds();
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The window in an IANA zone; None when the zone is not in the bundled database.
pub fn zoned(window: Window, name: &str) -> Option<ZonedWindow> {
    let tz: TimeZone = jiff::tz::db().get(name).ok()?;
    let at = |t: Timestamp| t.to_zoned(tz.clone());
    let (start, end) = (at(window.start), at(window.end));
    let hm = |z: &jiff::Zoned| format!("{:02}:{:02}", z.hour(), z.minute());
    let words = if start.offset() != end.offset() {
        format!(
            "{} {} ({}) to {} {} ({}) in {name}",
            start.date(),
            hm(&start),
            offset_words(&start),
            end.date(),
            hm(&end),
            offset_words(&end)
        )
    } else if start.date() == end.date() {
        format!(
            "{} to {} on {} ({name}, {})",
            hm(&start),
            hm(&end),
            start.date(),
            offset_words(&start)
        )
    } else {
        format!(
            "{} {} to {} {} ({name}, {})",
            start.date(),
            hm(&start),
            end.date(),
            hm(&end),
            offset_words(&start)
        )
    };
    Some(ZonedWindow {
        start: start.to_string(),
        end: end.to_string(),
        words,
    })
}

/// A pricing source as typed: a URL is compared and written without its query.
fn source_text(text: &str) -> String {
    if text.contains("://") {
        sanitize::url(text)
    } else {
        sanitize::label_text(text)
    }
}

pub(super) fn forecast(figures: &Figures) -> Option<ForecastOut> {
    let settings = &figures.settings;
    let forecast = settings.review.forecast.as_ref()?;
    let same_currency = forecast
        .currency
        .eq_ignore_ascii_case(&settings.billing_currency);
    let total = &figures.reconciliation.total;
    let over = |figure: Option<Decimal>| {
        figure
            .filter(|_| same_currency)
            .and_then(|f| f.checked_sub(forecast.amount))
    };
    let source = source_text(&forecast.pricing_source);
    let card_sources: Vec<String> = settings
        .rate_card
        .entries
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| sanitize::url(&e.provenance.source_url))
        .filter(|u| !u.is_empty())
        .collect();
    Some(ForecastOut {
        amount: forecast.amount,
        currency: sanitize::label(&forecast.currency),
        same_pricing_source: (!source.is_empty()).then(|| card_sources.contains(&source)),
        pricing_source: source,
        expected_over_forecast: over(total.expected),
        recorded_over_forecast: over(total.provider),
    })
}

fn buffer(figures: &Figures) -> Option<Buffer> {
    let facts = &figures.incident;
    if facts.buffer_minutes == 0 || figures.settings.window.is_none() {
        return None;
    }
    let streams = facts.streams.iter().map(|s| BufferStream {
        stream: s.stream,
        before_start: s.before_window.clone(),
        after_end: s.after_window.clone(),
    });
    Some(Buffer {
        minutes: facts.buffer_minutes,
        streams: streams.collect(),
    })
}

/// "12 gateway log rows within 30 min after the end; 1 before the start".
pub fn buffer_words(buffer: &Buffer) -> Vec<String> {
    buffer
        .streams
        .iter()
        .filter(|s| s.before_start.count + s.after_end.count > 0)
        .map(|s| {
            format!(
                "{}: {} within {} min before the start, {} within {} min after the end",
                super::stream_name(s.stream),
                super::rows(s.before_start.count),
                buffer.minutes,
                super::rows(s.after_end.count),
                buffer.minutes
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str) -> Window {
        Window {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    #[test]
    fn the_window_in_the_finance_zone_follows_its_clocks() {
        let cases = [
            (
                window("2026-05-11T08:00:00Z", "2026-05-11T10:00:00Z"),
                "Asia/Shanghai",
                "2026-05-11T16:00:00+08:00[Asia/Shanghai]",
                "16:00 to 18:00 on 2026-05-11 (Asia/Shanghai, UTC+08:00)",
            ),
            (
                window("2026-05-11T08:00:00Z", "2026-05-11T10:00:00Z"),
                "America/New_York",
                "2026-05-11T04:00:00-04:00[America/New_York]",
                "04:00 to 06:00 on 2026-05-11 (America/New_York, UTC−04:00)",
            ),
            // The clocks go back at 02:00 EDT on 2026-11-01: the two ends differ.
            (
                window("2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z"),
                "America/New_York",
                "2026-11-01T01:00:00-04:00[America/New_York]",
                "2026-11-01 01:00 (UTC−04:00) to 2026-11-01 02:00 (UTC−05:00) in America/New_York",
            ),
            (
                window("2026-05-11T20:00:00Z", "2026-05-12T02:00:00Z"),
                "Asia/Shanghai",
                "2026-05-12T04:00:00+08:00[Asia/Shanghai]",
                "04:00 to 10:00 on 2026-05-12 (Asia/Shanghai, UTC+08:00)",
            ),
        ];
        for (w, zone, start, words) in cases {
            let z = zoned(w, zone).unwrap();
            assert_eq!(
                (z.start.as_str(), z.words.as_str()),
                (start, words),
                "{zone}"
            );
        }
        assert!(zoned(
            window("2026-05-11T08:00:00Z", "2026-05-11T10:00:00Z"),
            "Mars/Base"
        )
        .is_none());
    }
}
