//! The incident review in the `--summary`: the checklist items the loaded evidence
//! answers, each with its figure and source, and how many are left for the reviewer.

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
    out
}

pub fn json(figures: &Figures) -> Value {
    json!(closure::checklist(figures))
}
