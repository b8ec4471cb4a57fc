//! dual_ledger: seed 001 §5's two columns, kept apart. Per model and per day, the
//! *estimated* cost (the usage of the stream the expected charge is priced from, each row
//! priced with the card) and the *reconciled* cost (the stream chosen as the
//! provider-side figure: the gateway's quota, a bill's charge lines, or the provider's
//! usage report priced with the card), side by side; neither ever overwrites the other.
//!
//! Days are calendar days in the finance time zone (`review.finance_time_zone`) when
//! the review sets one, else in UTC, so a day across a daylight-saving change lasts 23
//! or 25 hours. A row that states no time, and a charge bucket that spans more than one
//! such day (it cannot be split), go on no day: they are listed on an undated line.
//!
//! A day is provisional while the provider may still post to it: until
//! [`POSTING_WINDOW_HOURS`] after the day ends, measured against the time the record (or
//! export) is generated at. An undated line is always provisional: nothing says its
//! posting window has passed. Amounts are summed row by row, before any rounding the
//! settings apply to lines or totals.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::serde_str;
use crate::error::Error;
use crate::ingest::{FileReport, RowKind, Stream};
use crate::policy::RoundingScope;
use crate::price::groups::{Groups, LedgerShare};
use crate::price::{self, quota::quota_to_usd};
use crate::settings::ValidSettings;

/// The default posting window: a day stays provisional until 24 hours after it ends.
/// No provider document the reviewer can cite states its posting delay (seed 001 asks
/// to treat it as unknown), so the ledger waits one full day before calling a day
/// settled; the figure is the same on the page, in the CSV and in the record.
pub const POSTING_WINDOW_HOURS: i64 = 24;

/// The ledger as computed from the files: no clock, so no day is yet called provisional
/// or settled ([`DualLedger::lines_at`] does that against a time).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DualLedger {
    /// The IANA zone the days are in; `UTC` when the review sets no finance time zone.
    pub zone: String,
    /// The stream the estimated column is priced from; None: no usage to estimate from.
    pub estimated_from: Option<Stream>,
    /// The stream the reconciled column comes from; None: no provider-side figure.
    pub reconciled_from: Option<Stream>,
    /// By day (undated last), then model.
    pub days: Vec<LedgerDay>,
}

/// One model on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerDay {
    /// The calendar day in the ledger's zone; None: the undated line.
    pub day: Option<Date>,
    /// When the day ends (exclusive), in UTC; None for the undated line.
    pub day_end: Option<Timestamp>,
    pub model: String,
    /// Rows of the estimating stream on this line, and those of them with no rate.
    pub estimated_rows: u64,
    pub unpriced_rows: u64,
    /// Refund rows of the estimating stream on this line: no usage, so nothing in the
    /// estimate, but the stream did speak for this line (its estimate is 0, not unknown).
    pub estimated_refund_rows: u64,
    /// Σ the billable charge of the priced rows (at-risk rows are not in it).
    #[serde(with = "serde_str")]
    pub estimated_priced: Decimal,
    /// Rows (or charge lines) of the reconciling stream on this line.
    pub reconciled_rows: u64,
    /// The reconciling stream's net quota (consumed − refunded), when it is the gateway's.
    pub reconciled_quota: i64,
    /// Σ charge lines, or the usage report priced, when that is the reconciling stream.
    #[serde(with = "serde_str")]
    pub reconciled_amount: Decimal,
    /// Usage-report rows with no rate: the reconciled amount is then unknown.
    pub reconciled_unpriced: u64,
}

/// A ledger line as of a time: both columns, the variance, and whether it may still move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerLine {
    /// `2026-03-08`, or None for the undated line.
    pub day: Option<String>,
    pub model: String,
    /// None: not computed (no estimating stream, no row of it here, or a row unpriced).
    #[serde(with = "serde_str::option")]
    pub estimated: Option<Decimal>,
    /// None: not computed (no provider-side stream, no row of it here, or unpriced).
    #[serde(with = "serde_str::option")]
    pub reconciled: Option<Decimal>,
    /// reconciled − estimated; None unless both are computed.
    #[serde(with = "serde_str::option")]
    pub variance: Option<Decimal>,
    /// Inside the posting window (or undated): the reconciled figure may still move.
    pub provisional: bool,
    pub estimated_rows: u64,
    pub unpriced_rows: u64,
    pub reconciled_rows: u64,
}

impl LedgerDay {
    /// The estimated cost; unknown when a row on the line has no rate.
    pub fn estimated(&self, ledger: &DualLedger) -> Option<Decimal> {
        let rows = self.estimated_rows + self.estimated_refund_rows;
        let any = ledger.estimated_from.is_some() && rows > 0;
        (any && self.unpriced_rows == 0).then_some(self.estimated_priced)
    }

    /// The reconciled cost; unknown when its stream gave nothing on this line.
    pub fn reconciled(&self, ledger: &DualLedger, quota_per_usd: Decimal) -> Option<Decimal> {
        if self.reconciled_rows == 0 || self.reconciled_unpriced > 0 {
            return None;
        }
        match ledger.reconciled_from? {
            Stream::GatewayLog => quota_to_usd(self.reconciled_quota, quota_per_usd).ok(),
            _ => Some(self.reconciled_amount),
        }
    }
}

impl DualLedger {
    /// Every line as of `at`: provisional while `at` is before the day's end plus the
    /// posting window.
    pub fn lines_at(&self, at: Timestamp, quota_per_usd: Decimal) -> Vec<LedgerLine> {
        let window = SignedDuration::from_hours(POSTING_WINDOW_HOURS);
        self.days
            .iter()
            .map(|d| {
                let estimated = d.estimated(self);
                let reconciled = d.reconciled(self, quota_per_usd);
                let settled = d.day_end.and_then(|end| end.checked_add(window).ok());
                LedgerLine {
                    day: d.day.map(|day| day.to_string()),
                    model: crate::sanitize::label(&d.model),
                    estimated,
                    reconciled,
                    variance: reconciled
                        .zip(estimated)
                        .and_then(|(r, e)| r.checked_sub(e)),
                    provisional: settled.is_none_or(|settled| at < settled),
                    estimated_rows: d.estimated_rows,
                    unpriced_rows: d.unpriced_rows,
                    reconciled_rows: d.reconciled_rows,
                }
            })
            .collect()
    }
}

/// The files of one stream that gave evidence (as `crosscheck::files_of`, a floor up).
fn files_of(files: &[FileReport], stream: Stream) -> impl Iterator<Item = &FileReport> {
    files
        .iter()
        .filter(move |f| f.gives_evidence() && f.stream() == stream)
}

/// The ledger's day of an instant, and when that day ends.
fn day_of(at: Timestamp, zone: &TimeZone) -> Result<(Date, Timestamp), Error> {
    let day = at.to_zoned(zone.clone()).date();
    Ok((day, day_end(day, zone)?))
}

/// When the ledger's `day` ends (exclusive), in UTC.
fn day_end(day: Date, zone: &TimeZone) -> Result<Timestamp, Error> {
    let end = day
        .tomorrow()
        .and_then(|next| next.to_zoned(zone.clone()))
        .map_err(|_| Error::overflow("a ledger day"))?;
    Ok(end.timestamp())
}

/// A group's rows on their line, as the row loop of [`build_grouped`] files each row.
fn file_share(
    l: &mut LedgerDay,
    share: &LedgerShare,
    stream: Stream,
    estimate: bool,
    reconcile: bool,
) -> Result<(), Error> {
    if estimate && share.refund {
        l.estimated_refund_rows += share.rows;
    } else if estimate {
        l.estimated_rows += share.rows;
        match share.complete {
            true => l.estimated_priced = add(l.estimated_priced, share.expected)?,
            false => l.unpriced_rows += share.rows,
        }
    }
    if reconcile {
        l.reconciled_rows += share.rows;
        l.reconciled_quota = (l.reconciled_quota.checked_add(share.net_quota))
            .ok_or_else(|| Error::overflow("a ledger quota"))?;
        match share.complete {
            true => l.reconciled_amount = add(l.reconciled_amount, share.expected)?,
            false if stream == Stream::ProviderUsage => l.reconciled_unpriced += share.rows,
            false => {}
        }
    }
    Ok(())
}

type Key = (Option<Date>, String);

fn line<'a>(
    lines: &'a mut BTreeMap<Key, LedgerDay>,
    day: Option<(Date, Timestamp)>,
    model: &str,
) -> &'a mut LedgerDay {
    lines
        .entry((day.map(|d| d.0), model.to_string()))
        .or_insert_with(|| LedgerDay {
            day: day.map(|d| d.0),
            day_end: day.map(|d| d.1),
            model: model.to_string(),
            ..LedgerDay::default()
        })
}

fn add(sum: Decimal, amount: Decimal) -> Result<Decimal, Error> {
    sum.checked_add(amount)
        .ok_or_else(|| Error::overflow("a ledger amount"))
}

/// The ledger of `estimated_from`'s usage against `reconciled_from`'s figure.
pub fn build(
    files: &[FileReport],
    settings: &ValidSettings,
    estimated_from: Option<Stream>,
    reconciled_from: Option<Stream>,
) -> Result<DualLedger, Error> {
    build_grouped(files, settings, estimated_from, reconciled_from, None)
}

/// [`build`], taking the rows of `grouped`'s stream from its groups where they give the
/// rows' sums exactly (a rate edit then prices groups, not rows).
pub fn build_grouped(
    files: &[FileReport],
    settings: &ValidSettings,
    estimated_from: Option<Stream>,
    reconciled_from: Option<Stream>,
    grouped: Option<(Stream, &Groups)>,
) -> Result<DualLedger, Error> {
    let name = settings.review.finance_zone.clone();
    let zone = name
        .as_deref()
        .and_then(|n| jiff::tz::db().get(n).ok())
        .unwrap_or(TimeZone::UTC);
    // Rounding applies only when the documented rule rounds each row: a rule that
    // rounds lines or the total has no place in a row.
    let mut per_row = settings.clone();
    per_row.rounding = (settings.rounding.clone()).filter(|r| r.scope == RoundingScope::PerRow);
    let mut lines = BTreeMap::new();
    // The gateway's log can be both columns: its rows are then read, and priced, once.
    let both = estimated_from == Some(Stream::GatewayLog) && reconciled_from == estimated_from;
    let usage_side =
        |s: Option<Stream>| s.filter(|s| matches!(s, Stream::GatewayLog | Stream::ProviderUsage));
    let mut passes = Vec::new();
    if let Some(stream) = estimated_from {
        passes.push((stream, true, both));
    }
    if let Some(stream) = usage_side(reconciled_from).filter(|_| !both) {
        passes.push((stream, false, true));
    }
    for (stream, estimate, reconcile) in passes {
        let shares = grouped
            .filter(|(s, _)| *s == stream)
            .and_then(|(_, g)| g.ledger_shares(&per_row));
        if let Some(shares) = shares {
            for share in shares {
                let day = share.day.map(|d| Ok((d, day_end(d, &zone)?))).transpose()?;
                file_share(
                    line(&mut lines, day, share.model),
                    &share,
                    stream,
                    estimate,
                    reconcile,
                )?;
            }
            continue;
        }
        for row in files_of(files, stream).flat_map(|f| f.rows.iter()) {
            let day = row.time().map(|t| day_of(t, &zone)).transpose()?;
            let priced = price::row_charge(&row, &per_row)?;
            let l = line(&mut lines, day, priced.model);
            // A refund is the provider's, not usage: it has no place in an estimate.
            if estimate && row.kind == RowKind::Refund {
                l.estimated_refund_rows += 1;
            } else if estimate {
                l.estimated_rows += 1;
                match priced.complete {
                    true => l.estimated_priced = add(l.estimated_priced, priced.expected)?,
                    false => l.unpriced_rows += 1,
                }
            }
            if reconcile {
                l.reconciled_rows += 1;
                l.reconciled_quota = (l.reconciled_quota.checked_add(priced.net_quota))
                    .ok_or_else(|| Error::overflow("a ledger quota"))?;
                match priced.complete {
                    true => l.reconciled_amount = add(l.reconciled_amount, priced.expected)?,
                    // Only a usage report's amount is its priced usage; the gateway's
                    // figure is its quota, whatever the card says of the row.
                    false if stream == Stream::ProviderUsage => l.reconciled_unpriced += 1,
                    false => {}
                }
            }
        }
    }
    match reconciled_from {
        None | Some(Stream::GatewayLog | Stream::ProviderUsage) => {}
        Some(stream) => {
            // A bill's charge lines: a bucket reaching outside the window is not in the
            // provider-side figure, so not here either; one spanning two ledger days
            // cannot be split, so it goes on the undated line.
            let charges = files_of(files, stream).flat_map(|f| f.evidence.charges.iter());
            for charge in charges.filter(|c| !c.straddles) {
                let (day, end) = day_of(charge.start, &zone)?;
                let one_day = charge.end <= end;
                let item = charge.item.split(", ").next().unwrap_or("").trim();
                let card = settings.rate_card.lookup(item, Some(charge.start));
                let model = card.map_or(item, |e| e.model.as_str());
                let l = line(&mut lines, one_day.then_some((day, end)), model);
                l.reconciled_rows += 1;
                l.reconciled_amount = add(l.reconciled_amount, charge.amount)?;
            }
        }
    }
    // Undated lines last: BTreeMap puts None first.
    let (undated, dated): (Vec<_>, Vec<_>) = lines.into_values().partition(|l| l.day.is_none());
    Ok(DualLedger {
        zone: name.unwrap_or_else(|| "UTC".into()),
        estimated_from,
        reconciled_from,
        days: dated.into_iter().chain(undated).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn days_follow_the_zone_across_a_daylight_saving_change() {
        let york = jiff::tz::db().get("America/New_York").unwrap();
        // (instant, zone, day, day end): 2026-03-08 in New York lasts 23 hours (EST
        // −05:00 until 02:00, then EDT −04:00), so it ends at 04:00Z on the 9th.
        let cases = [
            (
                "2026-03-08T04:59:59Z",
                &york,
                "2026-03-07",
                "2026-03-08T05:00:00Z",
            ),
            (
                "2026-03-08T05:00:00Z",
                &york,
                "2026-03-08",
                "2026-03-09T04:00:00Z",
            ),
            (
                "2026-03-09T03:59:59Z",
                &york,
                "2026-03-08",
                "2026-03-09T04:00:00Z",
            ),
            (
                "2026-03-09T04:00:00Z",
                &york,
                "2026-03-09",
                "2026-03-10T04:00:00Z",
            ),
            (
                "2026-03-08T23:00:00Z",
                &TimeZone::UTC,
                "2026-03-08",
                "2026-03-09T00:00:00Z",
            ),
        ];
        for (at, zone, day, end) in cases {
            let (d, e) = day_of(ts(at), zone).unwrap();
            assert_eq!((d.to_string(), e), (day.to_string(), ts(end)), "{at}");
        }
    }

    #[test]
    fn a_day_is_provisional_until_the_posting_window_has_passed() {
        let day = |end: Option<&str>| LedgerDay {
            day: end.map(|_| "2026-03-08".parse().unwrap()),
            day_end: end.map(ts),
            model: "gpt-4o".into(),
            estimated_rows: 1,
            estimated_priced: Decimal::ONE,
            ..LedgerDay::default()
        };
        let ledger = |d| DualLedger {
            zone: "UTC".into(),
            estimated_from: Some(Stream::GatewayLog),
            reconciled_from: None,
            days: vec![d],
        };
        // (day end, generated at, provisional)
        let cases = [
            (Some("2026-03-09T00:00:00Z"), "2026-03-09T23:59:59Z", true),
            (Some("2026-03-09T00:00:00Z"), "2026-03-10T00:00:00Z", false),
            (None, "2030-01-01T00:00:00Z", true),
        ];
        for (end, at, provisional) in cases {
            let lines = ledger(day(end)).lines_at(ts(at), Decimal::ONE);
            assert_eq!(lines[0].provisional, provisional, "{end:?} at {at}");
            // No provider-side stream: the reconciled column is unknown, never zero.
            assert_eq!((lines[0].reconciled, lines[0].variance), (None, None));
        }
    }
}
