//! The one reducer at the root. Its state is plain core types: the reports of the files
//! as the worker read them (without their rows, which stay in the worker), the settings
//! document as typed, and the last review the worker computed from both. Every change
//! that can move a figure starts a new generation; the app asks the worker for it, and
//! only the answer to the latest generation is shown. The File handles and the worker
//! are outside it (`loader.rs`).

use std::rc::Rc;

use yew::Reducible;

use crate::ingest::{FileReport, Rules};
use crate::pipeline::{self, Review};
use crate::policy::Outcome;
use crate::ratecard::{self, FactorText, RateCardText, RateText};
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
    ZonelessOffset,
    NumberFormat,
    DateOrder,
    UntimedRequests,
}

pub enum Action {
    /// A file read by the worker (ignored if the rules moved on since).
    Loaded(Box<LoadedFile>),
    /// The worker answered for this job, but nothing of it is shown (it was cancelled, or
    /// its report was damaged): its rows can go.
    Seen(u32),
    /// The worker's review for a generation (`Review::to_wire`), or why there is none.
    Computed(u32, Result<String, String>),
    /// How far the worker is; None when it is idle.
    Progress(Option<Loading>),
    /// Reading stopped; these files were not (or not again) read.
    Cancelled(Vec<String>),
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
    /// Read a file (by name) as a format ("" = as detected).
    ReadAs(String, String),
    SaveMapping(crate::ingest::mapping::MappingText),
}

/// What the worker is reading now.
#[derive(Clone, Debug, PartialEq)]
pub struct Loading {
    pub name: String,
    /// This file is `position` of `count` waiting to be read.
    pub position: usize,
    pub count: usize,
    pub done: f64,
    pub total: f64,
    pub rows: u64,
    pub rows_per_second: f64,
}

/// A file's report (its rows stay in the worker) and the rules it was read under.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    pub report: FileReport,
    pub rules: Rules,
    /// The worker's job that read it: the handle of its rows there.
    pub job: u32,
    /// The model labels its accepted rows use.
    pub models: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// In the order they were first loaded.
    pub files: Vec<LoadedFile>,
    /// The rules files are read under: those of the last valid settings (a half-typed
    /// window does not make every file be read again).
    pub rules: Rules,
    pub loading: Option<Loading>,
    pub settings: Settings,
    /// The last review computed; while `computed != generation`, the worker is computing
    /// the next one and this one is shown, marked as being recomputed.
    pub review: Review,
    pub generation: u32,
    pub computed: u32,
    /// The last job the worker answered: rows of older jobs not in `files` can go.
    pub seen: u32,
    /// A sentence about the last thing that could not be done (a file that could not
    /// be read, settings that could not be imported). Nothing typed is dropped for it.
    pub notice: Option<String>,
}

impl State {
    pub fn new(settings: Settings) -> Self {
        let review = pipeline::run_reports(Vec::new(), &settings);
        State {
            files: Vec::new(),
            rules: pipeline::ingest_rules(&settings).unwrap_or_default(),
            loading: None,
            settings,
            review,
            generation: 0,
            computed: 0,
            seen: 0,
            notice: None,
        }
    }

    /// Only files read under the current rules count; the others are being read again.
    fn current(&self) -> impl Iterator<Item = &LoadedFile> {
        self.files.iter().filter(|f| f.rules == self.rules)
    }

    /// The worker's jobs whose rows the next review is computed from, in order.
    pub fn current_jobs(&self) -> Vec<u32> {
        self.current().map(|f| f.job).collect()
    }

    /// Every job whose rows the page may still ask for.
    pub fn kept_jobs(&self) -> Vec<u32> {
        self.files.iter().map(|f| f.job).collect()
    }

    pub fn recomputing(&self) -> bool {
        self.computed != self.generation
    }

    /// Starts a new generation of the figures; after new files, first adds a rate row for
    /// each model they charged that no entry names yet (only then: renaming an entry must
    /// not respawn rows). Without files there is nothing to price, so no need to ask the
    /// worker (which may not even be started).
    fn refresh(mut self, new_files: bool) -> Self {
        if let Some(rules) = pipeline::ingest_rules(&self.settings) {
            self.rules = rules;
        }
        if new_files {
            // Sorted, as `Review::models` lists them.
            let models: std::collections::BTreeSet<String> = self
                .current()
                .flat_map(|f| f.models.iter().cloned())
                .collect();
            self.settings
                .ensure_rate_rows(models.iter().map(String::as_str));
        }
        self.generation = self.generation.wrapping_add(1);
        if self.current().next().is_none() {
            self.review = pipeline::run_reports(Vec::new(), &self.settings);
            self.computed = self.generation;
        }
        self
    }

    /// Shows the worker's answer to the latest generation. Without figures, the last ones
    /// stay marked as not current (and the record cannot be downloaded from them); the
    /// next edit asks again.
    fn computed(mut self, generation: u32, answer: Result<String, String>) -> Self {
        let files = self.current().map(|f| f.report.clone()).collect();
        match answer.and_then(|text| Review::from_wire(&text, files, &self.settings)) {
            Ok(review) => {
                self.review = review;
                self.computed = generation;
            }
            Err(problem) => self.notice = Some(problem),
        }
        self
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let new_files = matches!(action, Action::Loaded(..));
        match action {
            Action::Loaded(file) => {
                next.seen = next.seen.max(file.job);
                if file.rules != next.rules {
                    return Rc::new(next);
                }
                let file = *file;
                // Loading the same file name again replaces it rather than counting it twice.
                match next
                    .files
                    .iter_mut()
                    .find(|f| f.report.name == file.report.name)
                {
                    Some(existing) => *existing = file,
                    None => next.files.push(file),
                }
            }
            Action::Seen(job) => {
                next.seen = next.seen.max(job);
                return Rc::new(next);
            }
            Action::Computed(generation, answer) => {
                // An answer to settings since edited is dropped: its figures are stale.
                if generation != next.generation {
                    return self;
                }
                return Rc::new(next.computed(generation, answer));
            }
            Action::Progress(loading) => {
                next.loading = loading;
                return Rc::new(next);
            }
            Action::Cancelled(names) => {
                next.loading = None;
                if names.is_empty() {
                    return Rc::new(next);
                }
                let rules = next.rules.clone();
                next.files
                    .retain(|f| f.rules == rules || !names.contains(&f.report.name));
                next.notice = Some(format!("Reading cancelled: {} not read.", names.join(", ")));
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
                    SettingsField::ZonelessOffset => &mut s.zoneless_times_offset,
                    SettingsField::NumberFormat => &mut s.number_format,
                    SettingsField::DateOrder => &mut s.date_order,
                    SettingsField::UntimedRequests => &mut s.untimed_requests,
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
            Action::ReadAs(file, format) => next.settings.read_as(&file, &format),
            Action::SaveMapping(mapping) => next.settings.save_mapping(mapping),
        }
        Rc::new(next.refresh(new_files))
    }
}
