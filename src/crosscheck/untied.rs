//! Billing lines with no usage: a billing export's charge for a model in a bucket (a
//! day, an hour) in which no usage stream has a row of that model. Such a charge cannot
//! be tied to a request: the checklist lists it beside the gateway rows no client row has.
//!
//! A charge's item names its model first (`gpt-4o-2024-08-06, input`, `gpt-4o:output`,
//! `gpt-4o`); the model is compared with the usage rows' models through the rate card
//! (two names one entry prices are the same model), else by name, a dated snapshot
//! suffix (`-2024-08-06`, `-20250929`) ignored on both sides. A charge with no model (a
//! tax line, a credit) and a bucket reaching outside the window (its usage outside was
//! not read) are not listed.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal::serde_str;
use crate::ingest::{FileReport, Stream, LISTED};
use crate::sanitize;
use crate::settings::ValidSettings;

/// One billing line no usage row stands behind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntiedCharge {
    /// The charge's item, each comma-separated part sanitized as a label.
    pub item: String,
    pub start: Timestamp,
    pub end: Timestamp,
    #[serde(with = "serde_str")]
    pub amount: Decimal,
    pub currency: String,
    /// The billing export's name, sanitized.
    pub file: String,
}

/// How many billing lines have no usage, and the first of them (up to [`LISTED`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntiedCharges {
    pub count: u64,
    pub lines: Vec<UntiedCharge>,
}

/// The model a name stands for: its rate card entry's label, else the name in lower
/// case without a dated snapshot suffix.
fn model_key(settings: &ValidSettings, name: &str) -> String {
    let card = &settings.rate_card;
    let entry = |name: &str| {
        let found = card.entries.iter().find(|e| e.names(name) && !e.is_empty());
        found.map(|e| format!("entry:{}", e.model))
    };
    let lower = name.trim().to_ascii_lowercase();
    let undated = strip_date(&lower).unwrap_or(&lower);
    entry(name.trim())
        .or_else(|| entry(undated))
        .unwrap_or_else(|| format!("name:{undated}"))
}

/// `gpt-4o-2024-08-06` → `gpt-4o`; `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`.
fn strip_date(name: &str) -> Option<&str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((head, date)) = name.rsplit_once('-') {
        if date.len() == 8 && digits(date) {
            return Some(head);
        }
    }
    let parts: Vec<&str> = name.rsplitn(4, '-').collect();
    match parts[..] {
        [d, m, y, head] if d.len() == 2 && m.len() == 2 && y.len() == 4 => {
            (digits(d) && digits(m) && digits(y)).then_some(head)
        }
        _ => None,
    }
}

/// A charge's item as outputs write it: each comma-separated part a sanitized label
/// (`gpt-4o-mini, input`).
fn item_label(item: &str) -> String {
    let parts: Vec<String> = item.split(',').map(sanitize::label).collect();
    parts.join(", ")
}

/// The model part of a charge's item: what comes before a comma or a colon.
fn item_model(item: &str) -> &str {
    item.split([',', ':']).next().unwrap_or("").trim()
}

/// The billing lines no usage row stands behind; None unless a billing export and a
/// usage stream are both loaded.
pub fn billing_without_usage(
    files: &[FileReport],
    settings: &ValidSettings,
) -> Option<UntiedCharges> {
    let billing: Vec<&FileReport> = super::files_of(files, Stream::Billing).collect();
    let usage: Vec<&FileReport> = files
        .iter()
        .filter(|f| f.gives_evidence() && f.stream().is_usage())
        .collect();
    if billing.is_empty() || usage.is_empty() {
        return None;
    }
    // Every model charge inside the window, by model: (file, charge, tied yet).
    let mut charges: BTreeMap<String, Vec<(&FileReport, usize, bool)>> = BTreeMap::new();
    for file in &billing {
        for (i, charge) in file.evidence.charges.iter().enumerate() {
            let model = item_model(&charge.item);
            if !model.is_empty() && !charge.straddles {
                let key = model_key(settings, model);
                charges.entry(key).or_default().push((file, i, false));
            }
        }
    }
    // The model key of each name, worked out once (a log repeats a handful of names).
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    for file in &usage {
        // Requests of unknown usage have no row (and so no time): their model ties
        // every charge of it.
        for model in file.evidence.usage_unknown.keys() {
            if let Some(list) = charges.get_mut(&model_key(settings, model)) {
                list.iter_mut().for_each(|c| c.2 = true);
            }
        }
        for row in file.rows.iter() {
            if !keys.contains_key(row.model.as_str()) {
                let key = model_key(settings, &row.model);
                keys.insert(row.model.clone(), key);
            }
            let Some(list) = keys
                .get(row.model.as_str())
                .and_then(|k| charges.get_mut(k))
            else {
                continue;
            };
            for (f, i, tied) in list.iter_mut() {
                let c = &f.evidence.charges[*i];
                *tied |= c.start <= row.at && row.at < c.end;
            }
        }
    }
    let mut untied: Vec<UntiedCharge> = charges
        .values()
        .flatten()
        .filter(|(_, _, tied)| !tied)
        .map(|(f, i, _)| {
            let c = &f.evidence.charges[*i];
            UntiedCharge {
                item: item_label(&c.item),
                start: c.start,
                end: c.end,
                amount: c.amount,
                currency: sanitize::label(&c.currency),
                file: sanitize::file_name(&f.name),
            }
        })
        .collect();
    untied.sort_by(|a, b| (a.start, &a.file, &a.item).cmp(&(b.start, &b.file, &b.item)));
    let count = untied.len() as u64;
    untied.truncate(LISTED);
    Some(UntiedCharges {
        count,
        lines: untied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_names_its_model_first_and_a_dated_snapshot_is_its_model() {
        let cases = [
            (
                "gpt-4o-2024-08-06, input",
                "gpt-4o-2024-08-06",
                Some("gpt-4o"),
            ),
            ("gpt-4o:output", "gpt-4o", None),
            (
                "claude-sonnet-4-5-20250929",
                "claude-sonnet-4-5-20250929",
                Some("claude-sonnet-4-5"),
            ),
            ("gpt-4o-mini", "gpt-4o-mini", None),
            ("", "", None),
        ];
        for (item, model, undated) in cases {
            assert_eq!(item_model(item), model, "{item}");
            assert_eq!(strip_date(model), undated, "{item}");
        }
    }
}
