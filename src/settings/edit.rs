//! Edits to the settings document, one at a time: what the page applies as the reviewer
//! types, picks, pastes or imports. The document stays the text they wrote; how each
//! edit lands (a pasted table merging into the rates, new entries starting unverified until sourced,
//! a rate card replacing rates and factors) is decided here, beside the document, so
//! the page only says which edit was made.

use std::collections::BTreeSet;

use super::Settings;
use crate::error::Error;
use crate::ingest::mapping::MappingText;
use crate::policy::Outcome;
use crate::ratecard::{self, FactorText, RateCardText, RateText};

/// A field of the document that holds one text, outside the rate table and policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsField {
    RunId,
    WindowStart,
    WindowEnd,
    ToleranceAbsolute,
    TolerancePercent,
    QuotaPerUsd,
    BillingCurrency,
    FxRate,
    FxSourceUrl,
    FxCapturedAt,
    RoundingScope,
    RoundingDecimals,
    RoundingStrategy,
    RoundingSourceUrl,
    QuotaRounding,
    ZonelessOffset,
    NumberFormat,
    DateOrder,
    UntimedRequests,
    ProviderSide,
    ExpectedSide,
    CsvStyle,
    CsvHeaders,
}

/// One change to the settings document. Fields of a rate entry or a factor are named by
/// their JSON key (`input`, `label`, `applies_to`, …); an index or key that names
/// nothing changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingsEdit {
    Field(SettingsField, String),
    Rate(usize, &'static str, String),
    AddRate,
    RemoveRate(usize),
    Factor(usize, &'static str, String),
    AddFactor,
    RemoveFactor(usize),
    Policy(Outcome, String),
    /// A table pasted from a spreadsheet: rows replace entries of the same model, the
    /// others are added.
    PasteRates(String),
    /// A rate card document: its rates and factors replace these.
    ImportRateCard(RateCardText),
    /// A whole settings document replaces this one.
    Replace(Box<Settings>),
    /// Read a file (by name) as a format (its snake_case name; empty: as detected).
    ReadAs {
        file: String,
        format: String,
    },
    /// A column mapping, replacing one made for the same header line.
    SaveMapping(Box<MappingText>),
    /// Whether the CSVs start with a byte-order mark.
    CsvByteOrderMark(bool),
    /// The incident review as the reviewer typed it, replacing the one before.
    Review(Box<super::ReviewText>),
    /// An edit of the budget review's section.
    Budget(super::budget::BudgetEdit),
}

impl Settings {
    pub fn field_mut(&mut self, field: SettingsField) -> &mut String {
        match field {
            SettingsField::RunId => &mut self.reconciliation_run_id,
            SettingsField::WindowStart => &mut self.incident_window_utc.start,
            SettingsField::WindowEnd => &mut self.incident_window_utc.end,
            SettingsField::ToleranceAbsolute => &mut self.tolerance.absolute,
            SettingsField::TolerancePercent => &mut self.tolerance.percent,
            SettingsField::QuotaPerUsd => &mut self.quota_per_usd,
            SettingsField::BillingCurrency => &mut self.billing_currency,
            SettingsField::FxRate => &mut self.fx.rate,
            SettingsField::FxSourceUrl => &mut self.fx.source_url,
            SettingsField::FxCapturedAt => &mut self.fx.captured_at,
            SettingsField::RoundingScope => &mut self.rounding.scope,
            SettingsField::RoundingDecimals => &mut self.rounding.decimals,
            SettingsField::RoundingStrategy => &mut self.rounding.strategy,
            SettingsField::RoundingSourceUrl => &mut self.rounding.source_url,
            SettingsField::QuotaRounding => &mut self.quota_rounding,
            SettingsField::ZonelessOffset => &mut self.zoneless_times_offset,
            SettingsField::NumberFormat => &mut self.number_format,
            SettingsField::DateOrder => &mut self.date_order,
            SettingsField::UntimedRequests => &mut self.untimed_requests,
            SettingsField::ProviderSide => &mut self.provider_side,
            SettingsField::ExpectedSide => &mut self.expected_side,
            SettingsField::CsvStyle => &mut self.csv_style,
            SettingsField::CsvHeaders => &mut self.csv_headers,
        }
    }

    /// Applies one edit. Only a pasted table can fail (it names no column we know, or
    /// no model); the document is then unchanged.
    pub fn apply(&mut self, edit: SettingsEdit) -> Result<(), Error> {
        match edit {
            SettingsEdit::Field(field, value) => *self.field_mut(field) = value,
            SettingsEdit::Rate(index, key, value) => {
                if let Some(rate) = self.rates.get_mut(index) {
                    if let Some(slot) = rate.field_mut(key) {
                        *slot = value;
                    }
                    rate.verify_when_sourced();
                }
            }
            SettingsEdit::AddRate => self.rates.push(RateText::new_entry("")),
            SettingsEdit::RemoveRate(index) => remove(&mut self.rates, index),
            SettingsEdit::Factor(index, key, value) => {
                if let Some(factor) = self.factors.get_mut(index) {
                    if let Some(slot) = factor.field_mut(key) {
                        *slot = value;
                    }
                    factor.verify_when_sourced();
                }
            }
            SettingsEdit::AddFactor => self.factors.push(FactorText::new_entry()),
            SettingsEdit::RemoveFactor(index) => remove(&mut self.factors, index),
            SettingsEdit::Policy(outcome, value) => *self.outcome_policy.slot(outcome) = value,
            SettingsEdit::PasteRates(text) => self.merge_rates(ratecard::rates_from_table(&text)?),
            SettingsEdit::ImportRateCard(card) => {
                self.rates = card.rates;
                self.factors = card.factors;
            }
            SettingsEdit::Replace(settings) => *self = *settings,
            SettingsEdit::ReadAs { file, format } => self.read_as(&file, &format),
            SettingsEdit::SaveMapping(mapping) => self.save_mapping(*mapping),
            SettingsEdit::CsvByteOrderMark(on) => self.csv_byte_order_mark = on,
            SettingsEdit::Review(review) => self.review = *review,
            SettingsEdit::Budget(edit) => self.budget_review.apply(edit),
        }
        Ok(())
    }

    /// Each row replaces the entry with the same model, or is added after the others.
    fn merge_rates(&mut self, rates: Vec<RateText>) {
        for rate in rates {
            match self.rates.iter_mut().find(|r| r.model == rate.model) {
                Some(existing) => *existing = rate,
                None => self.rates.push(rate),
            }
        }
    }

    /// The rate card on its own, as "Export rate card" writes it.
    pub fn rate_card_text(&self) -> RateCardText {
        RateCardText::new(self.rates.clone(), self.factors.clone())
    }

    /// Makes sure every model in `models` has a row in the rate table (by label or
    /// alias), keeping what the user already typed; new rows start empty, in sorted
    /// order, one per model.
    pub fn ensure_rate_rows<'a>(&mut self, models: impl IntoIterator<Item = &'a str>) {
        let models: BTreeSet<&str> = models.into_iter().collect();
        for model in models {
            let named =
                |r: &RateText| r.model == model || r.aliases.split(',').any(|a| a.trim() == model);
            if !self.rates.iter().any(named) {
                self.rates.push(RateText::new_entry(model));
            }
        }
    }
}

fn remove<T>(items: &mut Vec<T>, index: usize) {
    if index < items.len() {
        items.remove(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priced(model: &str, input: &str) -> RateText {
        RateText {
            model: model.into(),
            input: input.into(),
            source_url: "https://example.com/pricing".into(),
            ..RateText::default()
        }
    }

    fn start() -> Settings {
        Settings {
            rates: vec![priced("gpt-4o", "2.5"), priced("claude-x", "3")],
            factors: vec![FactorText::new_entry()],
            ..Settings::default()
        }
    }

    type Check = fn(&Settings) -> bool;

    #[test]
    fn each_edit_lands_where_it_says() {
        let cases: Vec<(SettingsEdit, Check)> = vec![
            (
                SettingsEdit::Field(SettingsField::WindowStart, "2026-05-11T08:00:00Z".into()),
                |s| s.incident_window_utc.start == "2026-05-11T08:00:00Z",
            ),
            (
                SettingsEdit::Field(SettingsField::UntimedRequests, "count".into()),
                |s| s.untimed_requests == "count",
            ),
            (SettingsEdit::Rate(1, "output", "15".into()), |s| {
                s.rates[1].output == "15"
            }),
            (SettingsEdit::Rate(1, "label", "inferred".into()), |s| {
                s.rates[1].label == "inferred"
            }),
            // An entry or key that is not there: nothing changes.
            (SettingsEdit::Rate(7, "output", "15".into()), |s| {
                *s == start()
            }),
            (SettingsEdit::Rate(0, "colour", "red".into()), |s| {
                *s == start()
            }),
            (SettingsEdit::AddRate, |s| {
                s.rates.len() == 3 && s.rates[2] == RateText::new_entry("")
            }),
            (SettingsEdit::RemoveRate(0), |s| {
                s.rates.len() == 1 && s.rates[0].model == "claude-x"
            }),
            (SettingsEdit::RemoveRate(2), |s| *s == start()),
            (
                SettingsEdit::Factor(0, "applies_to", "tokens".into()),
                |s| s.factors[0].applies_to == "tokens",
            ),
            (SettingsEdit::Factor(3, "value", "0.8".into()), |s| {
                *s == start()
            }),
            (SettingsEdit::AddFactor, |s| {
                s.factors.len() == 2 && s.factors[1].label.is_empty()
            }),
            (SettingsEdit::RemoveFactor(0), |s| s.factors.is_empty()),
            (
                SettingsEdit::Policy(Outcome::ClientTimeout, "billable".into()),
                |s| s.outcome_policy.client_timeout == "billable",
            ),
            (
                SettingsEdit::ImportRateCard(RateCardText::new(vec![priced("m", "1")], Vec::new())),
                |s| s.rates == [priced("m", "1")] && s.factors.is_empty(),
            ),
            (SettingsEdit::Replace(Box::default()), |s| {
                *s == Settings::default()
            }),
            (
                SettingsEdit::ReadAs {
                    file: "a.csv".into(),
                    format: "focus".into(),
                },
                |s| s.format_overrides.len() == 1 && s.format_overrides[0].format == "focus",
            ),
            (
                SettingsEdit::SaveMapping(Box::new(MappingText {
                    header: vec!["t".into()],
                    ..MappingText::default()
                })),
                |s| s.column_mappings.len() == 1,
            ),
        ];
        for (edit, check) in cases {
            let mut settings = start();
            let shown = format!("{edit:?}");
            settings.apply(edit).unwrap();
            assert!(check(&settings), "{shown}");
        }
    }

    #[test]
    fn pasted_rows_replace_entries_of_the_same_model_and_add_the_others() {
        let mut settings = start();
        let table = "model\tinput\tconfidence\nclaude-x\t$4\t\nnew-model\t1\tinferred\n";
        settings
            .apply(SettingsEdit::PasteRates(table.into()))
            .unwrap();
        let rows: Vec<(&str, &str, &str)> = settings
            .rates
            .iter()
            .map(|r| (r.model.as_str(), r.input.as_str(), r.label.as_str()))
            .collect();
        // A pasted row is the whole entry: its source URL is what the table says.
        assert_eq!(
            rows,
            [
                ("gpt-4o", "2.5", ""),
                ("claude-x", "4", ""),
                ("new-model", "1", "inferred")
            ]
        );
        assert_eq!(settings.rates[1].source_url, "");
        // Without a label column, pasted rows start unverified, as added ones do.
        settings
            .apply(SettingsEdit::PasteRates("model\nother\n".into()))
            .unwrap();
        assert_eq!(settings.rates[3].label, "");
    }

    #[test]
    fn a_table_that_cannot_be_read_changes_nothing() {
        let mut settings = start();
        let error = settings
            .apply(SettingsEdit::PasteRates("model;colour\ngpt-4o;red".into()))
            .unwrap_err();
        assert_eq!(error.to_string(), "pasted table: expected column names such as model, input, cached input, output, per call, source url, but found \"colour\"");
        assert_eq!(settings, start());
    }

    #[test]
    fn the_rate_card_on_its_own_is_the_current_format() {
        let card = start().rate_card_text();
        assert_eq!(card.schema_version, RateCardText::SCHEMA_VERSION);
        assert_eq!((card.rates, card.factors), (start().rates, start().factors));
    }

    #[test]
    fn rate_rows_are_added_once_in_sorted_order() {
        let mut s = Settings::default();
        s.rates.push(RateText {
            aliases: "gpt-4o-2024-08-06".into(),
            ..priced("gpt-4o", "2.5")
        });
        s.ensure_rate_rows(["gpt-4o-2024-08-06", "zeta", "claude-x", "zeta"]);
        let rows: Vec<(&str, &str)> = s
            .rates
            .iter()
            .map(|r| (r.model.as_str(), r.label.as_str()))
            .collect();
        assert_eq!(rows, [("gpt-4o", ""), ("claude-x", ""), ("zeta", "")]);
        let seen = vec!["gpt-4o-2024-08-06".to_string(), "claude-x".to_string()];
        assert_eq!(s.unpriced(&seen), ["claude-x"]);
    }
}
