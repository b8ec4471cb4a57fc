//! The page's side of the workers ([`super::mailbox`]), which read the files and compute
//! the figures.
//!
//! Keeps the File handles the user gave (only handles: the bytes stay on disk), so the
//! files can be read again when the ingest rules change; sends them to the worker one
//! job each, asks it for the figures of each new generation of the settings (one request
//! at a time: a newer one waits and replaces any older one still waiting), and turns the
//! worker's messages into reducer actions. Plain data goes to the reducer; the handles
//! and the worker live here, outside it.
//!
//! A second instance of the same worker hashes each file (SHA-256 was ~40% of the
//! reader's time) while the first reads it with hashing off. From 16 MiB on, the second
//! worker first reads the rows after a cut halfway into the file, and the page passes
//! them to the reader, which joins them to its own (`ingest::Tail`): the same report,
//! read on both cores. The second worker is then let go when it has nothing else to do
//! (`second`: the tab's peak memory is lower without it), and the reader hashes the file
//! once it has computed the figures; a fresh second worker starts with the next file.
//! A file is loaded as soon as the reader is done, so the figures never wait for the
//! hash; its digest follows ([`Action::Fingerprinted`], and the reader is sent it too),
//! and until then the page shows how far the hash is and holds back the record, which
//! names every file by it.
//! If the second worker cannot be started, the reader hashes as before.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use web_sys::File;
use yew::Callback;

use super::message;
use crate::ingest::{FileReport, Rules};
use crate::web::state::{Action, LoadedFile};

mod answers;
mod cut;
mod peer;
mod second;
mod spawn;

use peer::Peer;

struct Job {
    id: u32,
    name: String,
    rules: Rules,
    /// Hashed by the second worker: the digest comes apart from the report.
    hashed_apart: bool,
    sha256: Option<String>,
    /// Hashed once the figures are computed (`hash_waiting`), by the second worker, or by
    /// the reader when the second was let go.
    hash_later: Option<File>,
    read: Option<(FileReport, Vec<String>)>,
    /// The last progress of each worker (bytes done, rows, ms): the second one's counts
    /// the part after the cut it reads, so together they are the whole file's.
    reading: Progress,
    tail: Progress,
    /// The second worker's messages still to come that end its part of the file: its
    /// rows (`tail`), then their groups (`filed`) when it was sent settings.
    part_left: u8,
}

#[derive(Clone, Copy, Default)]
struct Progress {
    done: f64,
    rows: f64,
    ms: f64,
}

#[derive(Clone, Copy)]
enum Role {
    Reader,
    Hasher,
}

pub struct Loader {
    me: Weak<RefCell<Loader>>,
    /// Started when the user starts to give a file, so a page that never reads one never
    /// fetches the reader's module.
    reader: Peer,
    hasher: Peer,
    /// The second worker was let go once its part of a large file was in (`second`):
    /// the reader hashes that file, and a fresh second worker starts with the next file.
    hasher_retired: bool,
    /// The handlers of the worker let go last (they may be running when it goes).
    retired_handlers: Vec<Closure<dyn Fn(JsValue)>>,
    broken: bool,
    /// The reader's WebAssembly, compiled once by the page and handed to each worker it
    /// starts (`spawn`); `compiling` while it is fetched and compiled.
    module: Option<JsValue>,
    compiling: bool,
    /// A record check asked for before the reader's module was compiled.
    verify_waiting: bool,
    files: Vec<File>,
    /// The SHA-256 of each kept file, by name, once hashed: a File's bytes cannot change
    /// under it (the browser refuses to read a file changed on disk), so reading it again
    /// under new rules needs no second hash.
    digests: HashMap<String, String>,
    /// Sent and not yet answered, oldest first (the worker reads them in order).
    jobs: VecDeque<Job>,
    /// Files loaded whose SHA-256 the second worker has not sent yet: job and name.
    fingerprinting: Vec<(u32, String)>,
    /// Files loaded whose hash starts when the reader next has no figures to compute.
    hash_waiting: Vec<(u32, File)>,
    next_id: u32,
    rules: Rules,
    /// The settings as JSON, as last edited: sent with each file, so the workers file
    /// its rows in groups as they read them (empty until the page sets them).
    settings: String,
    /// Jobs finished since the queue was last empty, for "file 2 of 3".
    finished: usize,
    /// The job whose progress was last shown, and when (`js_sys::Date::now`).
    progress_shown: (u32, f64),
    /// The generation the worker is computing, and the request waiting for it to finish.
    computing: Option<u32>,
    waiting_compute: Option<(u32, JsValue)>,
    /// The last record check asked for: only its answer is shown.
    verifying: u32,
    dispatch: Callback<Action>,
}

pub type Shared = Rc<RefCell<Loader>>;

impl Loader {
    pub fn new(rules: Rules, dispatch: Callback<Action>) -> Shared {
        Rc::new_cyclic(|me| {
            RefCell::new(Loader {
                me: me.clone(),
                reader: Peer::default(),
                hasher: Peer::default(),
                hasher_retired: false,
                retired_handlers: Vec::new(),
                broken: false,
                module: None,
                compiling: false,
                verify_waiting: false,
                files: Vec::new(),
                digests: HashMap::new(),
                jobs: VecDeque::new(),
                fingerprinting: Vec::new(),
                hash_waiting: Vec::new(),
                next_id: 1,
                rules,
                settings: String::new(),
                finished: 0,
                progress_shown: (0, 0.0),
                computing: None,
                waiting_compute: None,
                verifying: 0,
                dispatch,
            })
        })
    }

    fn start(&mut self) -> bool {
        if self.reader.worker.is_some() || self.broken {
            return !self.broken;
        }
        self.compile_reader();
        let Some(reader) = self.spawn(Role::Reader) else {
            self.broken = true;
            return false;
        };
        self.reader = reader;
        // Without a second worker the reader hashes too, as it always did.
        self.hasher = self.spawn(Role::Hasher).unwrap_or_default();
        true
    }

    fn send(&mut self, file: &File) {
        self.restart_hasher();
        let id = self.next_id;
        self.next_id += 1;
        let known = self.digests.get(&file.name()).cloned();
        let hashed_apart = known.is_some() || self.hasher.worker.is_some();
        let rules = self.rules.to_wire();
        // A large file is read by both workers: the second one takes the part after
        // the cut; the whole file is hashed once the reader has computed the figures
        // (by the reader if the second worker was let go), so the hash takes no core
        // from the reading or the figures. A small file is hashed while it is read.
        let split = cut::cut(file.size(), self.hasher.worker.is_some());
        // Each worker files the rows it reads in groups under the settings of the moment.
        let settings = self.settings().map(str::to_string);
        let settings = settings.as_deref();
        let hash_later = (split.is_some() && known.is_none()).then(|| file.clone());
        if self.hasher.worker.is_some() && (known.is_none() || split.is_some()) {
            let hash_now = known.is_none() && hash_later.is_none();
            let split = split.map(|at| (at, rules.as_slice()));
            self.hasher.post(message::hash_file(
                id,
                file,
                hash_now,
                split,
                split.and(settings),
            ));
        }
        self.reader.post(message::read_file(
            id,
            file,
            &rules,
            !hashed_apart,
            split,
            settings,
        ));
        self.jobs.push_back(Job {
            id,
            name: file.name(),
            rules: self.rules.clone(),
            hashed_apart,
            sha256: known,
            hash_later,
            read: None,
            reading: Progress::default(),
            tail: Progress::default(),
            part_left: match (split, settings) {
                (None, _) => 0,
                (Some(_), None) => 1,
                (Some(_), Some(_)) => 2,
            },
        });
    }

    /// A file is loaded once the reader is done, with its digest if the page has it
    /// already; otherwise the digest follows (`fingerprinted`).
    fn join(&mut self, id: u32) -> Option<Action> {
        let job = self.jobs.iter_mut().find(|j| j.id == id)?;
        let (mut report, models) = job.read.take()?;
        let job = self.finish_job(id)?;
        if job.hashed_apart {
            match &job.sha256 {
                Some(sha256) => {
                    report.fingerprint.sha256 = sha256.clone();
                    self.digested(id, &job.name, sha256);
                }
                None => self.fingerprinting.push((id, job.name.clone())),
            }
            if let Some(file) = job.hash_later {
                self.hash_waiting.push((id, file));
            }
        }
        Some(Action::Loaded(Box::new(LoadedFile {
            report,
            rules: job.rules,
            job: id,
            models,
        })))
    }

    /// The SHA-256 of `job`'s file arrived from the second worker: kept with the job
    /// still being read, or given to the file already loaded.
    fn fingerprinted(&mut self, id: u32, sha256: String) -> Option<Action> {
        if let Some(waiting) = self.jobs.iter_mut().find(|j| j.id == id) {
            waiting.sha256 = Some(sha256);
            return self.join(id);
        }
        let at = self.fingerprinting.iter().position(|(job, _)| *job == id)?;
        let (_, name) = self.fingerprinting.remove(at);
        self.digested(id, &name, &sha256);
        Some(Action::Fingerprinted(id, sha256))
    }

    /// The reader has computed the figures and has nothing else to compute: the hashes
    /// that waited for it start.
    fn start_waiting_hashes(&mut self) {
        let hashing = match self.hasher_retired {
            true => &mut self.reader,
            false => &mut self.hasher,
        };
        for (id, file) in std::mem::take(&mut self.hash_waiting) {
            hashing.post(message::hash_file(id, &file, true, None, None));
        }
    }

    /// The reader gets the digest too, and the page keeps it for reading the same File
    /// again (unless a newer file of that name is on its way: it replaces this one).
    fn digested(&mut self, id: u32, name: &str, sha256: &str) {
        self.reader.post(message::fingerprint(id, sha256));
        if !self.jobs.iter().any(|j| j.name == name) {
            self.digests.insert(name.to_string(), sha256.to_string());
        }
    }

    /// The settings (JSON) files read from now on are filed under as they are read.
    pub fn set_settings(&mut self, settings: String) {
        self.settings = settings;
    }

    fn settings(&self) -> Option<&str> {
        Some(self.settings.as_str()).filter(|s| !s.is_empty())
    }

    /// Starts the workers as soon as the user starts to give a file (the picker opened,
    /// a file dragged over the page), so the reader's WebAssembly is fetched and compiled
    /// while they choose it; a page that is only looked at never fetches it.
    pub fn warm(&mut self) {
        self.start();
    }

    /// Reads newly picked files (a name already loaded is replaced, not added twice).
    pub fn load(&mut self, files: Vec<File>) {
        if !self.start() {
            let problem = "this browser cannot start the file reader (a web worker)";
            return self.dispatch.emit(Action::Notice(Some(problem.into())));
        }
        for file in files {
            self.files.retain(|f| f.name() != file.name());
            self.digests.remove(&file.name());
            // The digest of a file this one replaces is not this one's.
            self.fingerprinting.retain(|(_, name)| *name != file.name());
            self.hash_waiting.retain(|(_, f)| f.name() != file.name());
            self.send(&file);
            self.files.push(file);
        }
    }

    /// Reads every kept file again under new rules (the window or outcome policy changed).
    pub fn reread(&mut self, rules: Rules) {
        if rules == self.rules {
            return;
        }
        self.rules = rules;
        self.stop();
        for file in self.files.clone() {
            self.send(&file);
        }
    }

    fn stop(&mut self) {
        if let Some(last) = self.jobs.back().map(|j| j.id) {
            self.reader.post(message::cancel(last));
            if self.hasher.worker.is_some() {
                self.hasher.post(message::cancel(last));
            }
        }
        self.jobs.clear();
        self.finished = 0;
    }

    /// Stops reading; the files not read yet are dropped (they would be half-counted).
    /// Stops reading; the files not read (or not read again) go, and are returned.
    pub fn cancel(&mut self) -> Vec<String> {
        let names: Vec<String> = self.jobs.iter().map(|j| j.name.clone()).collect();
        self.files.retain(|f| !names.contains(&f.name()));
        self.stop();
        self.dispatch.emit(Action::Cancelled(names.clone()));
        names
    }

    /// Asks the worker for the review of the files read by `jobs` under `settings`.
    pub fn compute(&mut self, generation: u32, settings: &str, jobs: &[u32]) {
        if self.broken {
            // After the caller has let go of the loader, which the reducer's effects use.
            let dispatch = self.dispatch.clone();
            let problem =
                "the worker stopped, so the figures cannot be recomputed; reload the page";
            return wasm_bindgen_futures::spawn_local(async move {
                dispatch.emit(Action::Computed(generation, Err(problem.into())))
            });
        }
        let request = message::compute(generation, settings, jobs);
        if self.computing.is_some() {
            self.waiting_compute = Some((generation, request));
        } else {
            self.computing = Some(generation);
            self.reader.post(request);
        }
    }

    /// Asks the worker to check the record in `record` against `files` ("Verify a
    /// record"); its answer becomes [`Action::Verify`].
    pub fn verify(&mut self, record: &File, files: &[File]) {
        if !self.start() {
            let problem = "this browser cannot start the file reader (a web worker)";
            let failed = crate::web::state::Verifying::Failed(problem.into());
            return self.dispatch.emit(Action::Verify(failed));
        }
        self.verifying += 1;
        self.verify_waiting |= self.compiling;
        self.reader
            .post(message::verify(self.verifying, record, files));
    }

    /// Lets the worker drop the rows of every job up to `upto` not in `jobs`.
    pub fn keep(&mut self, jobs: &[u32], upto: u32) {
        if self.reader.worker.is_some() {
            self.reader.post(message::keep(jobs, upto));
        }
    }

    /// The files loaded now, in the order they were given.
    pub fn files(&self) -> &[File] {
        &self.files
    }

    pub fn forget(&mut self, name: &str) {
        self.files.retain(|f| f.name() != name);
    }

    fn finish_job(&mut self, id: u32) -> Option<Job> {
        let at = self.jobs.iter().position(|j| j.id == id)?;
        let job = self.jobs.remove(at)?;
        self.finished += 1;
        if self.jobs.is_empty() {
            self.finished = 0;
        }
        Some(job)
    }
}
