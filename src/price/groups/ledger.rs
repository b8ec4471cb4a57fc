//! What the dual ledger needs of each row, [`crate::price::row_charge`] (the model's
//! label, the billable amount, whether every quantity had a rate, the net quota),
//! summed over a group's rows: a group is on one ledger day, since its key holds the
//! row's calendar day in the finance zone.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{exact, Check, Groups};
use crate::price::row_charge::{factors, rate_of};
use crate::ratecard::Entry;
use crate::settings::ValidSettings;

/// One group's rows, priced alone and summed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerShare<'a> {
    /// The calendar day in the finance zone; None for rows that state no time.
    pub day: Option<Date>,
    /// The rate card's label, or the logged name when none prices the rows.
    pub model: &'a str,
    pub rows: u64,
    pub refund: bool,
    /// As `RowCharge::complete` says of each of the rows.
    pub complete: bool,
    /// Σ `RowCharge::expected`.
    pub expected: Decimal,
    /// Σ `RowCharge::net_quota`.
    pub net_quota: i64,
}

impl Groups {
    /// Every group's share of the dual ledger under `settings`; None where the groups
    /// do not fit the settings or cannot give the rows' sums exactly (then the ledger
    /// prices the rows, and says any error where a row meets it).
    pub fn ledger_shares<'a>(
        &'a self,
        settings: &'a ValidSettings,
    ) -> Option<Vec<LedgerShare<'a>>> {
        if self.declined.is_some() || !self.fit(settings) {
            return None;
        }
        let mut shares = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            let entry: Option<&Entry> = g.key.entry.map(|i| &settings.rate_card.entries[i]);
            let model = entry.map_or(g.model.as_str(), |e| e.model.as_str());
            let share = |complete, expected, net_quota| LedgerShare {
                day: g.key.ledger_day,
                model,
                rows: g.rows,
                refund: g.key.refund,
                complete,
                expected,
                net_quota,
            };
            if g.key.refund {
                let complete = settings.rate_card.names(&g.model);
                shares.push(share(complete, Decimal::ZERO, g.quota.checked_neg()?));
                continue;
            }
            let billable = g.key.check != Check::NotBillable;
            let tier = entry
                .and_then(|e| e.long_context.as_ref())
                .filter(|_| g.key.tier);
            let mut complete = g.key.known && entry.is_some();
            let mut expected = Decimal::ZERO;
            for d in &g.dims {
                let (Some(entry), Some(rate)) = (entry, rate_of(entry, tier, d.dimension)) else {
                    complete = false;
                    continue;
                };
                let (factor, _) = factors(settings, entry, d.dimension).ok()?;
                let amount = exact::amount(d, rate, entry.unit_size(d.dimension), factor)?;
                if billable {
                    expected = expected.checked_add(amount)?;
                }
            }
            shares.push(share(complete, expected, g.quota));
        }
        Some(shares)
    }
}
