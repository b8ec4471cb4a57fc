//! The one reducer at the root. Its state is plain core types: the files as loaded,
//! the settings document as typed, and the review computed from both.

use std::rc::Rc;

use yew::Reducible;

use crate::ingest::newapi::Outcome;
use crate::ratecard::{self, FactorText, RateCardText, RateText};
use crate::review::{self, InputFile, Review};
use crate::settings::Settings;

/// Names a text field of a rate-card entry by its JSON key, so one action edits any.
pub type RateField = &'static str;

fn factor_slot<'a>(factor: &'a mut FactorText, field: &str) -> Option<&'a mut String> {
    let slot = match field {
        "name" => &mut factor.name,
        "value" => &mut factor.value,
        "models" => &mut factor.models,
        "applies_to" => &mut factor.applies_to,
        "source_url" => &mut factor.source_url,
        "captured_at" => &mut factor.captured_at,
        "captured_by" => &mut factor.captured_by,
        "label" => &mut factor.label,
        "note" => &mut factor.note,
        _ => return None,
    };
    Some(slot)
}

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
}

pub enum Action {
    AddFiles(Vec<Result<InputFile, String>>),
    RemoveFile(usize),
    Edit(SettingsField, String),
    EditRate(usize, RateField, String),
    AddRate,
    RemoveRate(usize),
    EditFactor(usize, &'static str, String),
    AddFactor,
    RemoveFactor(usize),
    EditPolicy(Outcome, String),
    /// A table pasted from a spreadsheet: rows replace same-named entries, others are added.
    PasteRates(String),
    ImportRateCard(Result<RateCardText, String>),
    ImportSettings(Result<Box<Settings>, String>),
    Notice(Option<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub files: Vec<InputFile>,
    pub settings: Settings,
    pub review: Review,
    /// A sentence about the last thing that could not be done (a file that could not
    /// be read, settings that could not be imported). Nothing typed is dropped for it.
    pub notice: Option<String>,
}

impl State {
    pub fn new(settings: Settings) -> Self {
        let review = review::run(&[], &settings);
        State {
            files: Vec::new(),
            settings,
            review,
            notice: None,
        }
    }

    /// Recomputes the review; after new files, first adds a rate row for each model they
    /// charged that no entry names yet (only then: renaming an entry must not respawn rows).
    fn refresh(mut self, new_files: bool) -> Self {
        self.review = review::run(&self.files, &self.settings);
        if new_files {
            let before = self.settings.rates.len();
            self.settings
                .ensure_rate_rows(self.review.models.iter().map(String::as_str));
            if self.settings.rates.len() != before {
                self.review = review::run(&self.files, &self.settings);
            }
        }
        self
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let new_files = matches!(action, Action::AddFiles(_));
        match action {
            Action::AddFiles(results) => {
                let mut problems = Vec::new();
                for result in results {
                    match result {
                        // Loading the same file name again replaces it rather than counting it twice.
                        Ok(file) => match next.files.iter_mut().find(|f| f.name == file.name) {
                            Some(existing) => *existing = file,
                            None => next.files.push(file),
                        },
                        Err(problem) => problems.push(problem),
                    }
                }
                next.notice = (!problems.is_empty()).then(|| problems.join("; "));
            }
            Action::RemoveFile(index) => {
                if index < next.files.len() {
                    next.files.remove(index);
                }
            }
            Action::Edit(field, value) => {
                let s = &mut next.settings;
                let slot = match field {
                    SettingsField::RunId => &mut s.reconciliation_run_id,
                    SettingsField::WindowStart => &mut s.incident_window_utc.start,
                    SettingsField::WindowEnd => &mut s.incident_window_utc.end,
                    SettingsField::ToleranceAbsolute => &mut s.tolerance.absolute,
                    SettingsField::TolerancePercent => &mut s.tolerance.percent,
                    SettingsField::QuotaPerUsd => &mut s.quota_per_usd,
                    SettingsField::BillingCurrency => &mut s.billing_currency,
                    SettingsField::FxRate => &mut s.fx.rate,
                    SettingsField::FxSourceUrl => &mut s.fx.source_url,
                    SettingsField::FxCapturedAt => &mut s.fx.captured_at,
                    SettingsField::RoundingScope => &mut s.rounding.scope,
                    SettingsField::RoundingDecimals => &mut s.rounding.decimals,
                    SettingsField::RoundingStrategy => &mut s.rounding.strategy,
                    SettingsField::RoundingSourceUrl => &mut s.rounding.source_url,
                    SettingsField::QuotaRounding => &mut s.quota_rounding,
                };
                *slot = value;
            }
            Action::EditRate(index, field, value) => {
                if let Some(slot) = next
                    .settings
                    .rates
                    .get_mut(index)
                    .and_then(|r| r.field_mut(field))
                {
                    *slot = value;
                }
            }
            Action::AddRate => next.settings.rates.push(RateText {
                label: "verified".into(),
                ..RateText::default()
            }),
            Action::RemoveRate(index) => {
                if index < next.settings.rates.len() {
                    next.settings.rates.remove(index);
                }
            }
            Action::EditFactor(index, field, value) => {
                if let Some(slot) = next
                    .settings
                    .factors
                    .get_mut(index)
                    .and_then(|f| factor_slot(f, field))
                {
                    *slot = value;
                }
            }
            Action::AddFactor => next.settings.factors.push(FactorText {
                label: "verified".into(),
                ..FactorText::default()
            }),
            Action::RemoveFactor(index) => {
                if index < next.settings.factors.len() {
                    next.settings.factors.remove(index);
                }
            }
            Action::EditPolicy(outcome, value) => {
                *next.settings.outcome_policy.slot(outcome) = value
            }
            Action::PasteRates(text) => match ratecard::rates_from_table(&text) {
                Ok(rates) => {
                    for rate in rates {
                        match next
                            .settings
                            .rates
                            .iter_mut()
                            .find(|r| r.model == rate.model)
                        {
                            Some(existing) => *existing = rate,
                            None => next.settings.rates.push(rate),
                        }
                    }
                    next.notice = None;
                }
                Err(error) => {
                    next.notice = Some(error.to_string());
                    return Rc::new(next);
                }
            },
            Action::ImportRateCard(Ok(card)) => {
                next.settings.rates = card.rates;
                next.settings.factors = card.factors;
                next.notice = None;
            }
            Action::ImportRateCard(Err(problem)) => {
                next.notice = Some(problem);
                return Rc::new(next);
            }
            Action::ImportSettings(Ok(settings)) => {
                next.settings = *settings;
                next.notice = None;
            }
            Action::ImportSettings(Err(problem)) => {
                next.notice = Some(problem);
                return Rc::new(next);
            }
            Action::Notice(notice) => {
                next.notice = notice;
                return Rc::new(next);
            }
        }
        Rc::new(next.refresh(new_files))
    }
}
