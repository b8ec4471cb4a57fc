//! The log-API page around the rows (`{"success":…,"message":…,"data":{"items":[…]}}`),
//! walked key by key: `data` / `items` hold the rows, `success: false` and `message`
//! say why there are none.

use serde::de::IgnoredAny;
use serde_json::Value;

use super::{Document, Frame, Key, Outcome, PageState, Step};
use crate::ingest::text::json::{value, RowReader};

impl<R: RowReader> Document<R> {
    pub(super) fn page(&mut self, last: bool) -> Step {
        let Some(Frame::Page { state, .. }) = self.stack.last() else {
            return Step::Stop;
        };
        let state = match state {
            PageState::Key { first } => PageState::Key { first: *first },
            PageState::AfterComma => PageState::AfterComma,
            PageState::Colon(key) => PageState::Colon(*key),
            PageState::Value(key) => PageState::Value(*key),
        };
        if let PageState::Value(Key::Data) = state {
            return self.document(last);
        }
        let Some(b) = self.text.peek() else {
            return self.out(last);
        };
        let at = self.text.pos + 1;
        let next = match (state, b) {
            (PageState::Key { .. }, b'}') => {
                self.text.pos += 1;
                let Some(Frame::Page {
                    success,
                    api_error,
                    rows,
                    ..
                }) = self.stack.pop()
                else {
                    return Step::Stop;
                };
                let outcome = match (success, rows) {
                    (false, _) => Outcome::ApiError(api_error.unwrap_or_default()),
                    (true, true) => Outcome::Rows,
                    (true, false) => Outcome::NoRows,
                };
                return self.deliver(outcome);
            }
            (PageState::Key { first: false }, b',') => {
                self.text.pos += 1;
                PageState::AfterComma
            }
            (PageState::AfterComma, b'}') => return self.fail(at, "trailing comma"),
            (PageState::Key { first: true } | PageState::AfterComma, b'"') => {
                let (start, end) = match self.raw::<String>(last) {
                    Ok(span) => span,
                    Err(step) => return step,
                };
                let key = value::string(&self.text.buf[start..end]);
                self.text.pos = end;
                PageState::Colon(match key.as_deref() {
                    Some("data" | "items") => Key::Data,
                    Some("success") => Key::Success,
                    Some("message") => Key::Message,
                    _ => Key::Other,
                })
            }
            (PageState::Key { first: true } | PageState::AfterComma, _) => {
                return self.fail(at, "key must be a string")
            }
            (PageState::Key { first: false }, _) => return self.fail(at, "expected `,` or `}`"),
            (PageState::Colon(key), b':') => {
                self.text.pos += 1;
                PageState::Value(key)
            }
            (PageState::Colon(_), _) => return self.fail(at, "expected `:`"),
            (PageState::Value(key), _) => {
                let span = match key {
                    Key::Success | Key::Message => self.raw::<Value>(last),
                    _ => self.raw::<IgnoredAny>(last),
                };
                let (start, end) = match span {
                    Ok(span) => span,
                    Err(step) => return step,
                };
                let value = || serde_json::from_str::<Value>(&self.text.buf[start..end]).ok();
                let (found_success, found_message) = match key {
                    Key::Success => (Some(value() != Some(Value::Bool(false))), None),
                    Key::Message => match value() {
                        Some(Value::String(message)) => (None, Some(message)),
                        _ => (None, None),
                    },
                    _ => (None, None),
                };
                self.text.pos = end;
                if let Some(Frame::Page {
                    success, api_error, ..
                }) = self.stack.last_mut()
                {
                    if let Some(found) = found_success {
                        *success = found;
                    }
                    if found_message.is_some() {
                        *api_error = found_message;
                    }
                }
                PageState::Key { first: false }
            }
        };
        if let Some(Frame::Page { state, .. }) = self.stack.last_mut() {
            *state = next;
        }
        Step::Go
    }
}
