//! What the two workers answer, turned into reducer actions (and the one message the
//! page passes on from the second worker to the first: the rows after the cut).

use std::cell::RefCell;
use std::rc::Weak;

use super::{Loader, Progress, Role};
use crate::ingest::FileReport;
use crate::web::state::{Action, Loading, Verifying};
use crate::web::worker::message::{self, Message};

/// How often a file's reading progress is shown, at most.
const SHOW_PROGRESS_EVERY_MS: f64 = 150.0;

/// The worker's answers, turned into actions once the loader is no longer borrowed
/// (a dispatch may render, and rendering may call back into the loader).
pub(super) fn answer(loader: &Weak<RefCell<Loader>>, role: Role, message: Option<Message>) {
    let Some(loader) = loader.upgrade() else {
        return;
    };
    let mut borrowed = loader.borrow_mut();
    let this = &mut *borrowed;
    let mut actions = Vec::new();
    let mut hashes = false;
    let about_reading = !matches!(
        message,
        Some(Message::Figures { .. } | Message::Verified { .. } | Message::Hashing { .. })
    );
    match message {
        Some(Message::Ready) => match role {
            Role::Reader => this.reader.ready(),
            Role::Hasher => this.hasher.ready(),
        },
        // The rows after the cut, from the second worker, for the reader waiting at it.
        Some(Message::Tail { job, part }) => {
            let rows_sent = !part.is_null();
            this.reader.pass_on(message::tail(job, &part), &part);
            this.part_delivered(job, rows_sent);
        }
        // And those rows filed in groups, which the reader joins to its own.
        Some(Message::Filed { job, groups, under }) => {
            this.reader
                .post(message::filed(job, groups.as_deref(), &under));
            this.part_delivered(job, true);
        }
        Some(Message::Hashed { job, sha256 }) => actions.extend(this.fingerprinted(job, sha256)),
        Some(Message::Hashing { job, done, total }) if total > 0.0 => {
            actions.push(Action::Fingerprinting(job, (done / total).min(1.0)));
        }
        Some(Message::Progress {
            job,
            done,
            total,
            rows,
            ms,
        }) => {
            let (position, count) = (this.finished + 1, this.finished + this.jobs.len());
            let progress_shown = &mut this.progress_shown;
            if let Some(current) = this.jobs.iter_mut().find(|j| j.id == job) {
                let now = Progress { done, rows, ms };
                match role {
                    Role::Reader => current.reading = now,
                    Role::Hasher => current.tail = now,
                }
                // Until the reader has joined the second worker's part (it then counts
                // the whole file), both parts read so far.
                let (r, t) = (current.reading, current.tail);
                let both = if r.done >= total {
                    r
                } else {
                    Progress {
                        done: r.done + t.done,
                        rows: r.rows + t.rows,
                        ms: r.ms.max(t.ms),
                    }
                };
                // A few times a second, and the whole file read: each shown renders
                // the page, whose thread shares the two cores with the readers (a
                // progress a chunk took ~40% of a core while a 1M-row log was read;
                // docs/benchmarks.md).
                let now = js_sys::Date::now();
                let (shown_job, shown_at) = *progress_shown;
                let (first, whole) = (shown_job != job, both.done >= total);
                if first || whole || now - shown_at >= SHOW_PROGRESS_EVERY_MS {
                    *progress_shown = (job, now);
                    actions.push(Action::Progress(Some(Loading {
                        name: current.name.clone(),
                        position,
                        count,
                        done: both.done,
                        total,
                        rows: both.rows as u64,
                        rows_per_second: if both.ms > 0.0 {
                            both.rows * 1000.0 / both.ms
                        } else {
                            0.0
                        },
                    })));
                }
            }
        }
        Some(Message::Done {
            job,
            report,
            models,
        }) => {
            let id = job;
            let name = this
                .jobs
                .iter()
                .find(|j| j.id == id)
                .map(|j| j.name.clone());
            match name {
                Some(name) => match FileReport::from_wire_without_rows(&report) {
                    Ok(report) => {
                        if let Some(job) = this.jobs.iter_mut().find(|j| j.id == id) {
                            job.read = Some((report, models));
                        }
                        actions.extend(this.join(id));
                    }
                    Err(problem) => {
                        this.finish_job(id);
                        actions.push(Action::Seen(id));
                        actions.push(Action::Notice(Some(format!("{name}: {problem}"))));
                    }
                },
                // Cancelled after it finished: nothing of it is shown.
                None => actions.push(Action::Seen(id)),
            }
        }
        Some(Message::Figures {
            generation,
            review,
            budget,
        }) => {
            this.computing = None;
            if let Some((next, request)) = this.waiting_compute.take() {
                this.computing = Some(next);
                this.reader.post(request);
            } else {
                // After the figures are on the page (below), so the hash's reading does
                // not compete with showing them.
                hashes = true;
            }
            actions.push(Action::Computed(generation, review));
            actions.push(Action::Budget(generation, budget));
        }
        Some(Message::Verified { id, answer }) if id == this.verifying => {
            let found = answer.and_then(|bytes| {
                crate::wire::from_bytes(&bytes)
                    .map_err(|e| format!("the check sent by the worker is damaged: {e}"))
            });
            actions.push(Action::Verify(match found {
                Ok(verification) => Verifying::Done(verification),
                Err(problem) => Verifying::Failed(problem),
            }));
        }
        Some(Message::Failed { job, message }) => {
            if let Some(job) = this.finish_job(job) {
                let name = job.name;
                this.forget(&name);
                actions.push(Action::Notice(Some(format!("{name}: {message}"))));
            }
        }
        // The reader's answer is the one that counts; the hasher's follows the same cancel.
        Some(Message::Cancelled { job }) => {
            if matches!(role, Role::Reader) {
                this.finish_job(job);
            }
        }
        _ => {}
    }
    if about_reading && this.jobs.is_empty() {
        actions.push(Action::Progress(None));
    }
    let dispatch = this.dispatch.clone();
    drop(borrowed);
    for action in actions {
        dispatch.emit(action);
    }
    if hashes {
        loader.borrow_mut().start_waiting_hashes();
    }
}

/// The worker script failed to load or crashed: say so, and stop waiting for it.
pub(super) fn broken(loader: &Weak<RefCell<Loader>>) {
    let Some(loader) = loader.upgrade() else {
        return;
    };
    let mut this = loader.borrow_mut();
    this.reader.worker = None;
    this.hasher.worker = None;
    this.broken = true;
    this.jobs.clear();
    let latest = this
        .waiting_compute
        .take()
        .map(|(g, _)| g)
        .or(this.computing.take());
    let dispatch = this.dispatch.clone();
    drop(this);
    let problem = "the file reader (a web worker) stopped; reload the page to read files";
    if let Some(generation) = latest {
        dispatch.emit(Action::Computed(generation, Err(problem.into())));
    }
    dispatch.emit(Action::Notice(Some(problem.into())));
    dispatch.emit(Action::Progress(None));
}
