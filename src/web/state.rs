//! The one reducer at the root. Its state is plain core types: the reports of the files
//! as the worker read them (without their rows, which stay in the worker), the settings
//! document as typed, and the last review the worker computed from both. Every change
//! that can move a figure starts a new generation; the app asks the worker for it, and
//! only the answer to the latest generation is shown. The File handles and the worker
//! are outside it ([`super::worker::Loader`]).

use std::rc::Rc;

use yew::Reducible;

use crate::ingest::{FileReport, Ledger, Rules};
use crate::pipeline::{self, Review};
use crate::settings::{Settings, SettingsEdit};
use crate::web::keep::KeepStatus;

pub enum Action {
    /// A file read by the worker (ignored if the rules moved on since).
    Loaded(Box<LoadedFile>),
    /// The worker answered for this job, but nothing of it is shown (it was cancelled, or
    /// its report was damaged): its rows can go.
    Seen(u32),
    /// The worker's review for a generation (`Review::to_wire`), or why there is none.
    Computed(u32, Result<Vec<u8>, String>),
    /// The worker's budget review for a generation (`budget::wire`); None when the
    /// settings ask for none.
    Budget(u32, Option<Vec<u8>>),
    /// How far the worker is; None when it is idle.
    Progress(Option<Loading>),
    /// How far the SHA-256 of a job's file is, as a share of its bytes.
    Fingerprinting(u32, f64),
    /// The SHA-256 of a job's file, which was loaded before it was hashed.
    Fingerprinted(u32, String),
    /// Reading stopped; these files were not (or not again) read.
    Cancelled(Vec<String>),
    RemoveFile(usize),
    /// Typed or picked on the page.
    Edit(SettingsEdit),
    /// Rates pasted, or a rate card or settings document imported (or why the file
    /// could not be read): done, it clears the notice; not done, it is the notice.
    Import(Result<SettingsEdit, String>),
    Notice(Option<String>),
    /// What is kept in this browser now (after keeping, forgetting or restoring).
    Keep(KeepStatus),
    /// "Keep files in this browser" switched: shown at once, so a render before the
    /// copies are written or removed (a worker's message) does not switch it back;
    /// what is kept then follows as `Keep`.
    KeepChoice(bool),
    /// A record being checked against its files, or what the check found.
    Verify(Verifying),
}

/// "Verify a record": the worker checking a record against its files
/// ([`crate::verify::verify`]), what it found, or why the record could not be checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Verifying {
    Running,
    Done(crate::verify::Verification),
    Failed(String),
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
    /// How far the SHA-256 of each job's file is (share of its bytes), while it runs.
    pub fingerprinting: Vec<(u32, f64)>,
    pub settings: Settings,
    /// The last review computed; while `computed != generation`, the worker is computing
    /// the next one and this one is shown, marked as being recomputed.
    pub review: Review,
    /// The budget review computed with `review`, when the settings ask for one.
    pub budget: Option<crate::budget::Answer>,
    /// The jobs whose reads `review` was computed from, in the order of its files.
    review_jobs: Vec<u32>,
    /// The last figures computed under valid settings, shown while the settings have
    /// problems (marked as such), so a typo does not blank the page.
    last_figures: Option<(Vec<u32>, crate::figures::Figures)>,
    pub generation: u32,
    pub computed: u32,
    /// The last job the worker answered: rows of older jobs not in `files` can go.
    pub seen: u32,
    /// A sentence about the last thing that could not be done (a file that could not
    /// be read, settings that could not be imported). Nothing typed is dropped for it.
    pub notice: Option<String>,
    /// The files kept in this browser, as last reported.
    pub keep: KeepStatus,
    /// The last record checked on the page; None until one is.
    pub verification: Option<Verifying>,
}

impl State {
    pub fn new(settings: Settings) -> Self {
        let review = pipeline::run_nothing(&settings);
        State {
            files: Vec::new(),
            rules: pipeline::ingest_rules(&settings).unwrap_or_default(),
            loading: None,
            fingerprinting: Vec::new(),
            settings,
            review,
            budget: None,
            review_jobs: Vec::new(),
            last_figures: None,
            generation: 0,
            computed: 0,
            seen: 0,
            notice: None,
            keep: KeepStatus::default(),
            verification: None,
        }
    }

    /// The review to show: the current one, or while the settings have problems, the
    /// last figures computed from these very reads under valid settings.
    pub fn shown_review(&self) -> Review {
        match (&self.review.figures, &self.last_figures) {
            (Err(crate::pipeline::Problem::Settings(_)), Some((jobs, figures)))
                if *jobs == self.current_jobs() =>
            {
                Review {
                    figures: Ok(figures.clone()),
                    ..self.review.clone()
                }
            }
            _ => self.review.clone(),
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

    /// The file's ledger as the worker counted it for the review shown (a file given
    /// twice, rows another file holds), when that review was computed from this read
    /// of it: the ledger the record lists.
    pub fn counted(&self, file: &LoadedFile) -> Option<&Ledger> {
        let at = self.review_jobs.iter().position(|job| *job == file.job)?;
        self.review.files.get(at).map(|f| &f.ledger)
    }

    /// A file the worker read: it replaces a file of the same name (loading a file
    /// again never counts it twice). Read under rules that have moved on since, it is
    /// only seen: its rows can go.
    fn loaded(mut self, file: LoadedFile) -> Self {
        self.seen = self.seen.max(file.job);
        if file.rules != self.rules {
            return self;
        }
        match self
            .files
            .iter_mut()
            .find(|f| f.report.name == file.report.name)
        {
            Some(existing) => *existing = file,
            None => self.files.push(file),
        }
        self.refresh(true)
    }

    fn fingerprinting(mut self, job: u32, share: f64) -> Self {
        match self.fingerprinting.iter_mut().find(|(j, _)| *j == job) {
            Some(entry) => entry.1 = share,
            None => self.fingerprinting.push((job, share)),
        }
        self
    }

    /// A file loaded before it was hashed gets its SHA-256, in the review shown too:
    /// no figure depends on it, so nothing is computed again.
    fn fingerprinted(mut self, job: u32, sha256: String) -> Self {
        self.fingerprinting.retain(|(j, _)| *j != job);
        for file in self.files.iter_mut().filter(|f| f.job == job) {
            file.report.fingerprint.sha256 = sha256.clone();
        }
        if let Some(at) = self.review_jobs.iter().position(|j| *j == job) {
            if let Some(file) = self.review.files.get_mut(at) {
                file.fingerprint.sha256 = sha256;
            }
        }
        self
    }

    /// While a file of the review shown has no SHA-256 yet, how far its hash is (the
    /// least advanced one's share of its bytes): the record waits for every digest.
    pub fn fingerprint_pending(&self) -> Option<f64> {
        let waiting: Vec<u32> = self
            .review_jobs
            .iter()
            .zip(&self.review.files)
            .filter(|(_, f)| f.fingerprint.sha256.is_empty())
            .map(|(job, _)| *job)
            .collect();
        if waiting.is_empty() {
            return None;
        }
        let share = |job: &u32| {
            let found = self.fingerprinting.iter().find(|(j, _)| j == job);
            found.map_or(0.0, |(_, share)| *share)
        };
        Some(waiting.iter().map(share).fold(1.0, f64::min))
    }

    /// Reading stopped: the files it had not read (or not read again) go.
    fn cancelled(mut self, names: Vec<String>) -> Self {
        self.loading = None;
        if names.is_empty() {
            return self;
        }
        let rules = self.rules.clone();
        self.files
            .retain(|f| f.rules == rules || !names.contains(&f.report.name));
        self.notice = Some(format!("Reading cancelled: {} not read.", names.join(", ")));
        self.refresh(false)
    }

    fn remove_file(mut self, index: usize) -> Self {
        if index < self.files.len() {
            self.files.remove(index);
        }
        self.refresh(false)
    }

    /// An edit of the settings (the core decides how it lands); one brought in from
    /// outside (`imported`) replaces the notice once done. Not done, it is the notice.
    fn edit(mut self, edit: SettingsEdit, imported: bool) -> Self {
        let before = self.settings.clone();
        match self.settings.apply(edit) {
            Ok(()) if imported => self.notice = None,
            Ok(()) => {}
            Err(error) => return self.notice(Some(error.to_string())),
        }
        // A note typed for the review moves no figure: the figures shown take the new
        // settings without asking the worker, unless it is computing (its answer, from
        // the settings before, would then undo the note).
        if self.computed == self.generation && !self.settings.moves_figures_from(&before) {
            if let (Ok(figures), Ok(valid)) = (&self.review.figures, self.settings.validate()) {
                self.review.figures = Ok(figures.clone().under(valid));
                return self;
            }
        }
        self.refresh(false)
    }

    fn notice(self, notice: Option<String>) -> Self {
        State { notice, ..self }
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
            let models: Vec<String> = self
                .current()
                .flat_map(|f| f.models.iter().cloned())
                .collect();
            self.settings
                .ensure_rate_rows(models.iter().map(String::as_str));
        }
        self.generation = self.generation.wrapping_add(1);
        if self.current().next().is_none() {
            self.last_figures = None;
            self.review = pipeline::run_nothing(&self.settings);
            self.budget = None;
            self.review_jobs = Vec::new();
            self.computed = self.generation;
        }
        self
    }

    /// Shows the worker's answer to the latest generation (an answer to settings or
    /// files since changed never gets here: its figures are stale). It was computed from
    /// the current files, as read. Without figures, the last ones stay marked as not
    /// current (and the record cannot be downloaded from them); the next edit asks again.
    fn computed(mut self, generation: u32, answer: Result<Vec<u8>, String>) -> Self {
        let files = self.current().map(|f| f.report.clone()).collect();
        match answer.and_then(|bytes| Review::from_wire(&bytes, files, &self.settings)) {
            Ok(review) => {
                if let Ok(figures) = &review.figures {
                    self.last_figures = Some((self.current_jobs(), figures.clone()));
                }
                self.review = review;
                self.review_jobs = self.current_jobs();
                self.computed = generation;
            }
            Err(problem) => self.notice = Some(problem),
        }
        self
    }
}

impl State {
    /// The budget review the worker computed with the figures just shown.
    fn budget(mut self, answer: Option<Vec<u8>>) -> Self {
        match answer
            .map(|bytes| crate::budget::from_wire(&bytes))
            .transpose()
        {
            Ok(budget) => self.budget = budget,
            Err(problem) => self.notice = Some(problem),
        }
        self
    }
}

impl Reducible for State {
    type Action = Action;

    /// Routes each action to the state change or core call it stands for.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Computed(generation, _) | Action::Budget(generation, _) = action {
            if generation != self.generation {
                return self;
            }
        }
        let state = (*self).clone();
        Rc::new(match action {
            Action::Loaded(file) => state.loaded(*file),
            Action::Seen(job) => State {
                seen: state.seen.max(job),
                ..state
            },
            Action::Computed(generation, answer) => state.computed(generation, answer),
            Action::Budget(_, answer) => state.budget(answer),
            Action::Progress(loading) => State { loading, ..state },
            Action::Fingerprinting(job, share) => state.fingerprinting(job, share),
            Action::Fingerprinted(job, sha256) => state.fingerprinted(job, sha256),
            Action::Cancelled(names) => state.cancelled(names),
            Action::RemoveFile(index) => state.remove_file(index),
            Action::Edit(edit) => state.edit(edit, false),
            Action::Import(Ok(edit)) => state.edit(edit, true),
            Action::Import(Err(problem)) => state.notice(Some(problem)),
            Action::Notice(notice) => state.notice(notice),
            Action::Keep(keep) => State { keep, ..state },
            Action::KeepChoice(on) => {
                let keep = KeepStatus {
                    on,
                    ..state.keep.clone()
                };
                State { keep, ..state }
            }
            Action::Verify(verifying) => State {
                verification: Some(verifying),
                ..state
            },
        })
    }
}
