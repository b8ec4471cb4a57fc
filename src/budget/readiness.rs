//! Seed 000's readiness form checked for completeness, and its phases A–D each as pass
//! or hold with the reason. A phase holds while the one before it holds:
//!
//! - A, paper check: the rollback owner and the billing observer named, the kill switch
//!   documented (who, where, time to take effect, how verified, how reversed).
//! - B, single-request drill: the tagged drill request traced end to end.
//! - C, low-volume simulation: a baseline to hold the simulation's volume and tokens
//!   against, and the kill switch tested.
//! - D, production decision: the planned window projected, within its stop condition.

use serde::{Deserialize, Serialize};

use super::baseline::BaselineAnswer;
use super::projection::ProjectionAnswer;
use crate::settings::budget::ReadinessText;

/// The items phase A needs (the rest of [`ReadinessText::ITEMS`] are B's and C's).
const PAPER_ITEMS: usize = 7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// `A` to `D`.
    pub phase: String,
    pub name: String,
    pub pass: bool,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// The items of the form left empty, as the seed words them.
    pub missing: Vec<String>,
    pub phases: Vec<Phase>,
}

impl Readiness {
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

fn yes(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

pub fn readiness(
    form: &ReadinessText,
    baseline: &BaselineAnswer,
    projection: &ProjectionAnswer,
) -> Readiness {
    let missing: Vec<String> = ReadinessText::ITEMS
        .iter()
        .filter(|(key, _)| form.get(key).trim().is_empty())
        .map(|(_, what)| what.to_string())
        .collect();
    let paper_missing: Vec<&str> = ReadinessText::ITEMS[..PAPER_ITEMS]
        .iter()
        .filter(|(key, _)| form.get(key).trim().is_empty())
        .map(|(_, what)| *what)
        .collect();
    let a = match paper_missing.is_empty() {
        true => Ok("every owner is named and the kill switch is documented".to_string()),
        false => Err(format!("missing {}", paper_missing.join(", "))),
    };
    let b = match yes(&form.drill_traced) {
        Some(true) => Ok("the drill request was traced end to end".to_string()),
        Some(false) => Err("the drill request was not traced end to end".to_string()),
        None => Err("the drill request is not recorded as traced".to_string()),
    };
    let c = match (baseline, yes(&form.kill_switch_tested)) {
        (None, _) => Err(
            "no reference period is marked: no baseline to hold the simulation against".to_string(),
        ),
        (Some(Err(reason)), _) => Err(format!("no baseline: {reason}")),
        (Some(Ok(_)), Some(true)) => {
            Ok("a baseline is measured and the kill switch was tested".to_string())
        }
        (Some(Ok(_)), Some(false)) => Err("the kill switch was not tested".to_string()),
        (Some(Ok(_)), None) => Err("the kill switch is not recorded as tested".to_string()),
    };
    let d = match projection {
        None => Err("no planned window is projected".to_string()),
        Some(Err(reason)) => Err(format!("no projection: {reason}")),
        // The amounts are the verdict's, shown beside it: the phase says only which way
        // it went, so the page and the document never show the same figure two ways.
        Some(Ok(p)) if p.pass => Ok("the projected spend is within the stop limit".to_string()),
        Some(Ok(_)) => Err("the projected spend exceeds the stop limit".to_string()),
    };
    let names = [
        ("A", "paper check", a),
        ("B", "single-request drill", b),
        ("C", "low-volume rollback simulation", c),
        ("D", "production rollback decision", d),
    ];
    let mut phases: Vec<Phase> = Vec::new();
    for (phase, name, result) in names {
        let before = phases.last().filter(|p| !p.pass).map(|p| p.phase.clone());
        let (pass, reason) = match (before, result) {
            (Some(held), Err(reason)) => (false, format!("phase {held} holds; {reason}")),
            (Some(held), Ok(_)) => (false, format!("phase {held} holds")),
            (None, Ok(reason)) => (true, reason),
            (None, Err(reason)) => (false, reason),
        };
        phases.push(Phase {
            phase: phase.into(),
            name: name.into(),
            pass,
            reason,
        });
    }
    Readiness { missing, phases }
}
