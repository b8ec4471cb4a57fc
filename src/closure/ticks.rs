//! The reviewer's ticks on the checklist items the evidence cannot answer, as outputs
//! write them: the note through the free-text sanitizer, the link without its query.

use serde::Serialize;

use crate::figures::Figures;

/// What the reviewer recorded for an item: ticked or not, a note, where to check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tick {
    pub ticked: bool,
    /// Secrets, emails and IPs replaced.
    pub note: String,
    /// Without its query string (where tokens hide).
    pub evidence_url: String,
}

/// The reviewer's tick on the item `key`, sanitized; the last one typed for a key counts.
pub(super) fn tick(figures: &Figures, key: &str) -> Option<Tick> {
    let checks = &figures.settings.review.checklist;
    let check = checks.iter().rev().find(|c| c.key == key)?;
    Some(Tick {
        ticked: check.ticked,
        note: crate::sanitize::free_text(&check.note),
        evidence_url: match check.evidence_url.is_empty() {
            true => String::new(),
            false => crate::sanitize::url(&check.evidence_url),
        },
    })
}
