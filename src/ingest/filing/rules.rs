//! [`Rules`]: what the review settings say about reading files (window, outcome policy,
//! how cells are written, requests without a time, billing currency, column mappings,
//! format overrides), and their trip to the web worker as text.

use serde::{Deserialize, Serialize};

use crate::decimal::NumberFormat;
use crate::ingest::formats::mapping;
use crate::ingest::formats::times::{CellFormat, DateOrder, StatedZone};
use crate::ingest::formats::Format;
pub use crate::ingest::store::facts::Side;
use crate::policy::Outcome;
use crate::policy::{Billability, Policy, PolicyText};

/// The incident window: rows are counted inside it, half-open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
}

impl Window {
    /// Half-open: a row written exactly at `end` belongs to the next window.
    pub fn contains(&self, at: jiff::Timestamp) -> bool {
        self.start <= at && at < self.end
    }

    /// For a time outside the window, which side of it the time lies on when it is
    /// within `minutes` of an edge (the review's window buffer): before the start (up to
    /// `minutes` earlier) or from the end on (less than `minutes` after it).
    pub fn buffer_side(&self, at: jiff::Timestamp, minutes: u32) -> Option<Side> {
        let span = jiff::SignedDuration::from_mins(i64::from(minutes));
        if minutes == 0 || self.contains(at) {
            None
        } else if at < self.start {
            (self.start.duration_since(at) <= span).then_some(Side::Before)
        } else {
            (at.duration_since(self.end) < span).then_some(Side::After)
        }
    }
}

/// The review rules that decide how cells and rows are read and whether a row that reads fine is
/// excluded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rows outside it are excluded (counted in the ledger, never dropped).
    pub window: Option<Window>,
    /// Outcomes the policy calls not billable are excluded.
    pub policy: Policy,
    /// The zone the reviewer states for times written without one (spreadsheet-style
    /// `2026-01-01 08:02:03`); without one such rows are rejected.
    pub zoneless_zone: Option<StatedZone>,
    /// The order of day and month in dates like `1/5/26`; unstated, those are rejected.
    pub date_order: DateOrder,
    /// How delimited files write numbers (`1.234,5`); JSON numbers are always plain.
    pub number_format: NumberFormat,
    /// Client requests that state no time (an Anthropic Message has none): rejected, or
    /// counted without the window and listed apart in the ledger.
    pub untimed: UntimedRequests,
    /// Billing rows in another currency are rejected (uppercase ISO 4217); None: any.
    pub currency: Option<Currency>,
    /// Column mappings the reviewer saved, for exports we do not know by their header.
    pub mappings: std::sync::Arc<Vec<mapping::Mapping>>,
    /// Formats the reviewer chose for files by name, over what detection says.
    pub overrides: std::sync::Arc<Vec<(String, Format)>>,
    /// Minutes each side of the window whose rows are counted and listed apart by side
    /// (still excluded as outside the window, never priced); 0: none.
    pub buffer_minutes: u32,
}

/// What becomes of a client request that states no time: the incident window cannot be
/// applied to it, so it is never silently taken as inside (or outside) the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UntimedRequests {
    /// Rejected, with a sentence naming the setting (what the reviewer gets unless they
    /// choose otherwise).
    #[default]
    Reject,
    /// Accepted without the window check, and counted apart
    /// (the ledger's `accepted_without_time`).
    Count,
}

impl UntimedRequests {
    pub const ALL: [UntimedRequests; 2] = [UntimedRequests::Reject, UntimedRequests::Count];

    /// The setting's text (`untimed_requests`).
    pub fn name(self) -> &'static str {
        match self {
            UntimedRequests::Reject => "reject",
            UntimedRequests::Count => "count",
        }
    }

    /// `reject` (or nothing) or `count`.
    pub fn parse(text: &str) -> Result<UntimedRequests, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "reject" => Ok(UntimedRequests::Reject),
            "count" => Ok(UntimedRequests::Count),
            _ => Err(format!(
                "expected reject or count, but found {}",
                crate::decimal::quote(text.trim())
            )),
        }
    }
}

/// A three-letter currency code, uppercase (Copy, so the rules stay Copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(text: &str) -> Option<Currency> {
        let bytes = text.trim().as_bytes();
        let code: [u8; 3] = bytes.try_into().ok()?;
        code.iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| Currency(code.map(|b| b.to_ascii_uppercase())))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules as text, for the trip to the web worker in the wire form (`crate::wire`:
/// window ends in RFC 3339, the policy as the names the settings use, the rest as the
/// settings write them).
#[derive(Serialize, Deserialize)]
struct RulesText {
    window: Option<(String, String)>,
    policy: Vec<String>,
    #[serde(default)]
    zoneless_zone: Option<String>,
    #[serde(default)]
    date_order: String,
    #[serde(default)]
    number_format: String,
    #[serde(default)]
    untimed: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    mappings: Vec<mapping::MappingText>,
    #[serde(default)]
    overrides: Vec<(String, Format)>,
    #[serde(default)]
    buffer_minutes: u32,
}

impl Rules {
    pub fn to_wire(&self) -> Vec<u8> {
        let text = RulesText {
            window: self
                .window
                .map(|w| (w.start.to_string(), w.end.to_string())),
            policy: Outcome::ALL
                .iter()
                .map(|o| match self.policy.of(*o) {
                    Billability::Billable => "billable",
                    Billability::NotBillable => "not_billable",
                    Billability::Unknown => "unknown",
                })
                .map(str::to_string)
                .collect(),
            zoneless_zone: self.zoneless_zone.map(StatedZone::to_text),
            date_order: self.date_order.name().to_string(),
            number_format: self.number_format.sample().to_string(),
            untimed: self.untimed.name().to_string(),
            currency: self.currency.map(|c| c.to_string()),
            mappings: self.mappings.iter().map(|m| m.text.clone()).collect(),
            overrides: self.overrides.to_vec(),
            buffer_minutes: self.buffer_minutes,
        };
        crate::wire::to_bytes(&text).unwrap_or_default()
    }

    pub fn from_wire(bytes: &[u8]) -> Result<Rules, String> {
        let bad = |what: &str| format!("the reading rules sent to the reader are damaged ({what})");
        let text: RulesText = crate::wire::from_bytes(bytes).map_err(|_| bad("not readable"))?;
        let window = match text.window {
            Some((start, end)) => Some(Window {
                start: start.parse().map_err(|_| bad("window start"))?,
                end: end.parse().map_err(|_| bad("window end"))?,
            }),
            None => None,
        };
        let mut policy = PolicyText::default();
        for (outcome, name) in Outcome::ALL.iter().zip(text.policy) {
            *policy.slot(*outcome) = name;
        }
        let policy = Policy::parse(&policy).map_err(|_| bad("policy"))?;
        let zone = text.zoneless_zone.unwrap_or_default();
        let currency = match text.currency {
            Some(code) => Some(Currency::parse(&code).ok_or_else(|| bad("currency"))?),
            None => None,
        };
        let mappings = text
            .mappings
            .iter()
            .map(mapping::Mapping::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("column mapping"))?;
        Ok(Rules {
            window,
            policy,
            zoneless_zone: StatedZone::parse(&zone).map_err(|_| bad("time zone"))?,
            date_order: DateOrder::parse(&text.date_order).map_err(|_| bad("date order"))?,
            number_format: NumberFormat::parse(&text.number_format)
                .map_err(|_| bad("number format"))?,
            untimed: UntimedRequests::parse(&text.untimed)
                .map_err(|_| bad("requests without a time"))?,
            currency,
            mappings: std::sync::Arc::new(mappings),
            overrides: std::sync::Arc::new(text.overrides),
            buffer_minutes: text.buffer_minutes,
        })
    }

    /// How cells are read: delimited text in the stated number format, JSON with the
    /// plain numbers JSON writes (a JSON `1.234` is never one thousand two hundred...).
    pub(super) fn cell_formats(&self) -> (CellFormat, CellFormat) {
        let text = CellFormat {
            zone: self.zoneless_zone.map(StatedZone::time_zone),
            dates: self.date_order,
            numbers: self.number_format,
        };
        let json = CellFormat {
            numbers: NumberFormat::Plain,
            ..text.clone()
        };
        (text, json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The web worker reads files under exactly the rules the page sent.
    #[test]
    fn rules_survive_the_trip_to_the_worker() {
        let window = Window {
            start: "2026-01-01T00:00:00Z".parse().unwrap(),
            end: "2026-01-02T00:00:00Z".parse().unwrap(),
        };
        let cases = [
            Rules::default(),
            Rules {
                window: Some(window),
                zoneless_zone: StatedZone::parse("Europe/Berlin").unwrap(),
                date_order: DateOrder::DayFirst,
                number_format: NumberFormat::PointThousandsCommaDecimal,
                ..Rules::default()
            },
            Rules {
                zoneless_zone: StatedZone::parse("-05:30").unwrap(),
                date_order: DateOrder::MonthFirst,
                number_format: NumberFormat::SpaceThousandsCommaDecimal,
                untimed: UntimedRequests::Count,
                currency: Currency::parse("eur"),
                mappings: std::sync::Arc::new(vec![mapping::Mapping::parse(
                    &mapping::MappingText {
                        header: vec!["t".into(), "usd".into()],
                        stream: "billing".into(),
                        timestamp: "t".into(),
                        amount: "usd".into(),
                        ..Default::default()
                    },
                )
                .unwrap()]),
                overrides: std::sync::Arc::new(vec![("a.csv".into(), Format::Focus)]),
                buffer_minutes: 30,
                ..Rules::default()
            },
        ];
        for rules in cases {
            assert_eq!(Rules::from_wire(&rules.to_wire()), Ok(rules));
        }
        let untimed = [
            ("", Ok(UntimedRequests::Reject)),
            ("reject", Ok(UntimedRequests::Reject)),
            (" Count ", Ok(UntimedRequests::Count)),
            (
                "guess",
                Err("expected reject or count, but found \"guess\"".to_string()),
            ),
        ];
        for (text, expected) in untimed {
            assert_eq!(UntimedRequests::parse(text), expected, "{text}");
        }
        let window = Window {
            start: "2026-01-01T08:00:00Z".parse().unwrap(),
            end: "2026-01-01T10:00:00Z".parse().unwrap(),
        };
        let sides = [
            ("2026-01-01T07:30:00Z", Some(Side::Before)),
            ("2026-01-01T07:29:59Z", None),
            ("2026-01-01T08:00:00Z", None),
            ("2026-01-01T10:00:00Z", Some(Side::After)),
            ("2026-01-01T10:29:59Z", Some(Side::After)),
            ("2026-01-01T10:30:00Z", None),
        ];
        for (at, side) in sides {
            assert_eq!(window.buffer_side(at.parse().unwrap(), 30), side, "{at}");
            assert_eq!(window.buffer_side(at.parse().unwrap(), 0), None, "{at}");
        }
        let damaged = RulesText {
            window: None,
            policy: Vec::new(),
            zoneless_zone: None,
            date_order: String::new(),
            number_format: "1'234".into(),
            untimed: String::new(),
            currency: None,
            mappings: Vec::new(),
            overrides: Vec::new(),
            buffer_minutes: 0,
        };
        let damaged = crate::wire::to_bytes(&damaged).unwrap();
        assert_eq!(
            Rules::from_wire(&damaged).unwrap_err(),
            "the reading rules sent to the reader are damaged (number format)"
        );
        assert_eq!(
            Rules::from_wire(&damaged[..damaged.len() - 1]).unwrap_err(),
            "the reading rules sent to the reader are damaged (not readable)"
        );
    }
}
