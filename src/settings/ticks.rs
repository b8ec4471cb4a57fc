//! The reviewer's ticks on the incident checklist as typed (`review.checklist`): the
//! items the evidence cannot answer (deployment history, scheduled jobs, …), each
//! ticked or not with a note and an evidence link, by the item's key.

use serde::{Deserialize, Serialize};

/// The reviewer's tick on one checklist item, with a note and a link to the evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckText {
    /// The item's key (`change_history`, `scheduled_jobs`).
    pub key: String,
    pub ticked: bool,
    /// What the reviewer found ("no deploy between 07:00 and 11:00").
    pub note: String,
    /// Where it can be checked (a deploy log, a ticket).
    pub evidence_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub key: String,
    pub ticked: bool,
    pub note: String,
    pub evidence_url: String,
}

/// The ticks with something in them, trimmed, in order.
pub(super) fn checks(texts: &[CheckText]) -> Vec<Check> {
    texts
        .iter()
        .map(|c| Check {
            key: c.key.trim().to_string(),
            ticked: c.ticked,
            note: c.note.trim().to_string(),
            evidence_url: c.evidence_url.trim().to_string(),
        })
        .filter(|c| {
            !c.key.is_empty() && (c.ticked || !c.note.is_empty() || !c.evidence_url.is_empty())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_with_nothing_in_it_is_left_out() {
        let text = |key: &str, ticked: bool, note: &str, url: &str| CheckText {
            key: key.into(),
            ticked,
            note: note.into(),
            evidence_url: url.into(),
        };
        let cases = [
            (text("change_history", true, "", ""), true),
            (text("change_history", false, " checked ", ""), true),
            (text("change_history", false, "", "https://x"), true),
            (text("change_history", false, " ", " "), false),
            (text(" ", true, "note", ""), false),
        ];
        for (i, (typed, kept)) in cases.into_iter().enumerate() {
            assert_eq!(
                checks(std::slice::from_ref(&typed)).len(),
                usize::from(kept),
                "case {i}"
            );
        }
        let trimmed = checks(&[text(" scheduled_jobs ", true, " none ", " https://x ")]);
        assert_eq!(
            trimmed,
            [Check {
                key: "scheduled_jobs".into(),
                ticked: true,
                note: "none".into(),
                evidence_url: "https://x".into(),
            }]
        );
    }
}
