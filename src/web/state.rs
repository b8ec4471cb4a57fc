//! The one reducer at the root. Its state is plain core types: the files as loaded,
//! the settings document as typed, and the review computed from both.

use std::rc::Rc;

use yew::Reducible;

use crate::review::{self, InputFile, Review};
use crate::settings::{RateText, Settings};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateField {
    Input,
    CachedInput,
    CacheWrite,
    Output,
    PerCall,
    SourceUrl,
    CapturedAt,
    Label,
}

impl RateField {
    fn slot(self, rate: &mut RateText) -> &mut String {
        match self {
            RateField::Input => &mut rate.input_per_million,
            RateField::CachedInput => &mut rate.cached_input_per_million,
            RateField::CacheWrite => &mut rate.cache_write_per_million,
            RateField::Output => &mut rate.output_per_million,
            RateField::PerCall => &mut rate.per_call,
            RateField::SourceUrl => &mut rate.source_url,
            RateField::CapturedAt => &mut rate.captured_at,
            RateField::Label => &mut rate.label,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsField {
    RunId,
    WindowStart,
    WindowEnd,
    ToleranceAbsolute,
    TolerancePercent,
    QuotaPerUsd,
}

pub enum Action {
    AddFiles(Vec<Result<InputFile, String>>),
    RemoveFile(usize),
    Edit(SettingsField, String),
    EditRate(usize, RateField, String),
    ImportSettings(Result<Settings, String>),
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

    /// Recomputes the review and adds a rate row for each model newly seen.
    fn refresh(mut self) -> Self {
        self.review = review::run(&self.files, &self.settings);
        let before = self.settings.rates.len();
        self.settings
            .ensure_rate_rows(self.review.models.iter().map(String::as_str));
        if self.settings.rates.len() != before {
            self.review = review::run(&self.files, &self.settings);
        }
        self
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
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
                };
                *slot = value;
            }
            Action::EditRate(index, field, value) => {
                if let Some(rate) = next.settings.rates.get_mut(index) {
                    *field.slot(rate) = value;
                }
            }
            Action::ImportSettings(Ok(settings)) => {
                next.settings = settings;
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
        Rc::new(next.refresh())
    }
}
