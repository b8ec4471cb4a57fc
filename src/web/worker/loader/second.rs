//! The second worker, let go once its part of a large file is in.
//!
//! A worker's WebAssembly memory never shrinks, and a worker costs the tab ~17 MB before
//! it reads a byte. After the second worker has sent the rows after the cut (18 MiB of
//! memory on a 1M-row log), it only waits to hash the file, while the reader joins the
//! two parts and computes the figures, and the page shows them: the tab's peak. Let go
//! then (when it has no other file's work), the tab peaks lower; the idle reader hashes
//! the file once the figures are shown, and a fresh second worker starts with the next
//! file: it is ready in ~0.2 s, long before the reader reaches the cut, so the next
//! large file is read in two parts as fast (docs/benchmarks.md, "The second worker let
//! go"). Started right after the hash instead, it held the tab ~15 MB above this.

use super::{Loader, Role};

impl Loader {
    /// One of the second worker's messages that end its part of `job` came: its rows
    /// (`rows_sent`: false when it had none to send, and no groups follow) or their
    /// groups. When it has no part or hash of another file to do, it is let go.
    pub(super) fn part_delivered(&mut self, id: u32, rows_sent: bool) {
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return;
        };
        job.part_left = match rows_sent {
            true => job.part_left.saturating_sub(1),
            false => 0,
        };
        let done = job.part_left == 0;
        let alone = self.jobs.len() == 1 && self.fingerprinting.is_empty();
        if done && alone && !self.broken {
            self.retire_hasher();
        }
    }

    fn retire_hasher(&mut self) {
        let mut hasher = std::mem::take(&mut self.hasher);
        if let Some(worker) = hasher.worker.take() {
            worker.terminate();
        }
        // This runs inside the retired worker's message handler: its closures are kept
        // until the next one is let go.
        self.retired_handlers = std::mem::take(&mut hasher.handlers);
        self.hasher_retired = true;
    }

    /// A fresh second worker, when the last was let go: before the next file is sent
    /// (the messages for it wait for the worker's `ready`).
    pub(super) fn restart_hasher(&mut self) {
        if !std::mem::take(&mut self.hasher_retired) || self.broken {
            return;
        }
        self.hasher = self.spawn(Role::Hasher).unwrap_or_default();
    }
}
