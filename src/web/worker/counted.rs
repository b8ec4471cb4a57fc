//! The kept reports of the jobs the figures are computed from, counted once
//! ([`pipeline::count_files`]) and kept while only the settings change: finding the rows
//! that overlapping logs share reads every row of every log, so it is not redone on each
//! keystroke in the rate table.

use std::cell::RefCell;

use super::mailbox::REPORTS;
use crate::ingest::FileReport;
use crate::pipeline;
use crate::price::groups::Groups;

thread_local! {
    /// The jobs last counted, and their reports counted.
    static COUNTED: RefCell<Option<(Vec<u32>, Vec<FileReport>)>> = RefCell::default();
    /// What the figures of those reports keep between settings edits (the priced rows
    /// in groups): dropped with them.
    static KEPT: RefCell<pipeline::Kept> = RefCell::default();
    /// The rows of each job, filed in groups as they were read (in two parts, joined).
    static FILED: RefCell<Vec<(u32, Groups)>> = RefCell::default();
}

/// `job`'s rows filed in groups as they were read (None: they were not).
pub fn filed(job: u32, groups: Option<Groups>) {
    if let Some(groups) = groups {
        FILED.with(|f| f.borrow_mut().push((job, groups)));
    }
}

/// Keeps the filed rows of the jobs `keep` says yes to.
pub fn keep_filed(keep: impl Fn(u32) -> bool) {
    FILED.with(|f| f.borrow_mut().retain(|(job, _)| keep(*job)));
}

/// The figures of `files` (the reports of the jobs last counted) under `settings`,
/// with what earlier settings edits of the same files kept.
pub fn run(files: Vec<FileReport>, settings: &crate::settings::Settings) -> pipeline::Review {
    KEPT.with(|k| {
        let mut kept = k.borrow_mut();
        let review = pipeline::run_kept(files, settings, &mut kept);
        if kept.took_parts() {
            // For a browser test: the figures came from rows filed as they were read.
            count("joinedGroups");
        }
        review
    })
}

/// Adds one to the number `name` on the worker's global scope (for browser tests).
pub fn count(name: &str) {
    let (global, key) = (js_sys::global(), wasm_bindgen::JsValue::from(name));
    let now = js_sys::Reflect::get(&global, &key)
        .ok()
        .and_then(|v| v.as_f64());
    let _ = js_sys::Reflect::set(&global, &key, &(now.unwrap_or(0.0) + 1.0).into());
}

/// The reports of `jobs`, in order, counted once; None when one is no longer kept.
pub fn reports(jobs: &[u32]) -> Option<Vec<FileReport>> {
    let kept = COUNTED.with(|c| match &*c.borrow() {
        Some((counted, files)) if counted == jobs => Some(files.clone()),
        _ => None,
    });
    if kept.is_some() {
        return kept;
    }
    // Cheap: a report's rows are shared, not copied.
    let mut files = REPORTS.with(|r| -> Option<Vec<FileReport>> {
        let reports = r.borrow();
        jobs.iter()
            .map(|job| {
                let found = reports.iter().find(|(id, _)| id == job);
                found.map(|(_, f)| f.clone())
            })
            .collect()
    })?;
    pipeline::count_files(&mut files);
    let filed = FILED.with(|f| {
        let filed = f.borrow();
        let of = |job: &u32| {
            filed
                .iter()
                .find(|(id, _)| id == job)
                .map(|(_, g)| g.clone())
        };
        jobs.iter().map(of).collect()
    });
    KEPT.with(|k| *k.borrow_mut() = pipeline::Kept::with_parts(filed));
    COUNTED.with(|c| *c.borrow_mut() = Some((jobs.to_vec(), files.clone())));
    Some(files)
}

/// The kept reports changed (a file read or dropped): count again.
pub fn forget() {
    COUNTED.with(|c| c.borrow_mut().take());
    KEPT.with(|k| *k.borrow_mut() = pipeline::Kept::default());
}

/// The digest of `job`'s file arrived: the reports counted from it carry it too.
pub fn fingerprinted(job: u32, sha256: &str) {
    COUNTED.with(|c| {
        if let Some((jobs, files)) = &mut *c.borrow_mut() {
            if let Some(at) = jobs.iter().position(|j| *j == job) {
                files[at].fingerprint.sha256 = sha256.to_string();
            }
        }
    });
}
