//! The incident review in the `--summary`: the checklist items the loaded evidence
//! answers, each with its figure and source, how many are left for the reviewer and
//! what the reviewer ticked;
//! then the closure criteria (✓/✗ with why) and the final statement.

use serde_json::{json, Value};
use spend_reconciler::closure;
use spend_reconciler::figures::Figures;

pub fn text(figures: &Figures) -> String {
    let items = closure::checklist(figures);
    let (answered, open): (Vec<_>, Vec<_>) = items.iter().partition(|i| i.answer.is_some());
    let mut out = format!(
        "incident review: {} of {} checklist items answered from the evidence, {} for the reviewer to tick\n",
        answered.len(),
        items.len(),
        open.len()
    );
    for item in answered {
        let answer = item.answer.as_deref().unwrap_or_default();
        out.push_str(&format!("  ✓ {} {answer}\n", item.item));
    }
    // The reviewer's ticks on the rest, with their notes and links (sanitized).
    for item in open {
        if let Some(tick) = &item.reviewer {
            let mark = if tick.ticked { "☑" } else { "☐" };
            let link = match tick.evidence_url.is_empty() {
                true => String::new(),
                false => format!(" ({})", tick.evidence_url),
            };
            out.push_str(&format!(
                "  {mark} {} reviewer: {}{link}\n",
                item.item, tick.note
            ));
        }
    }
    let criteria = closure::criteria(figures);
    let may_close = criteria.iter().all(|c| c.met);
    out.push_str(if may_close {
        "closure: every criterion holds; the incident may be closed\n"
    } else {
        "closure: not yet\n"
    });
    for c in &criteria {
        let mark = if c.met { "✓" } else { "✗" };
        out.push_str(&format!("  {mark} {} {}\n", c.criterion, c.why));
    }
    if let Some(statement) = closure::statement(figures) {
        out.push_str(&format!("final statement: {}\n", statement.text));
    }
    out
}

pub fn json(figures: &Figures) -> Value {
    json!(closure::checklist(figures))
}

/// The closure criteria and the final statement, for the JSON summary.
pub fn closure_json(figures: &Figures) -> Value {
    json!({
        "criteria": closure::criteria(figures),
        "final_statement": closure::statement(figures),
    })
}
