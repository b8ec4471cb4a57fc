//! The list of rows inside a page or at the root: each element read by the row reader
//! (its one-pass scanner, else serde_json) from the buffered text and handed over as
//! soon as it is whole.

use serde::de::IgnoredAny;

use super::{spoiled, Document, Frame, Outcome, Step};
use crate::ingest::text::json::lines::Sink;
use crate::ingest::text::json::RowReader;

impl<R: RowReader> Document<R> {
    pub(super) fn list(&mut self, last: bool, sink: &mut Sink<R>) -> Step {
        let after = match self.stack.last() {
            Some(Frame::List(after)) => *after,
            _ => return Step::Stop,
        };
        let Some(b) = self.text.peek() else {
            return self.out(last);
        };
        let at = self.text.pos + 1;
        match (after, b) {
            (Some(true), b']') => return self.fail(at, "trailing comma"),
            (None | Some(false), b']') => {
                self.text.pos += 1;
                self.stack.pop();
                return self.deliver(Outcome::Rows);
            }
            (Some(false), b',') => {
                self.text.pos += 1;
                self.set_list(Some(true));
                return Step::Go;
            }
            (Some(false), _) => return self.fail(at, "expected `,` or `]`"),
            _ => {}
        }
        if b != b'{' {
            // Not a row at all (a number, a string, a list): rejected, and the rest read.
            let (_, end) = match self.raw::<IgnoredAny>(last) {
                Ok(span) => span,
                Err(step) => return step,
            };
            self.count += 1;
            let row = spoiled(&mut self.damage, self.text.offset(end));
            let row = row.map_or(Ok(R::not_an_object()), Err);
            sink(self.count, None, row);
            self.text.pos = end;
            self.set_list(Some(false));
            return Step::Go;
        }
        let pos = self.text.pos;
        let rest = &self.text.buf[pos..];
        // The row goes to the sink within this statement: nothing borrowing the buffer
        // is left (to drop) when the reader moves on.
        let scanned = match self.rows.scan(rest) {
            Some((row, used)) => {
                self.count += 1;
                let end = self.text.offset(pos + used);
                let row = spoiled(&mut self.damage, end).map_or(Ok(row), Err);
                sink(self.count, None, row);
                Some(used)
            }
            None => None,
        };
        if let Some(used) = scanned {
            self.text.pos += used;
            self.set_list(Some(false));
            return Step::Go;
        }
        let parsed = match R::parse(rest) {
            Some(Ok((row, used))) => {
                let end = self.text.offset(pos + used);
                let row = spoiled(&mut self.damage, end).map_or(Ok(row), Err);
                sink(self.count + 1, None, row);
                Some(Ok(used))
            }
            Some(Err(e)) => Some(Err(e)),
            None => None,
        };
        self.settle(parsed, pos, last)
    }

    /// After an element was parsed (and handed over) at `pos`: move past it, or wait
    /// for more text, or stop with the problem.
    fn settle(
        &mut self,
        parsed: Option<Result<usize, serde_json::Error>>,
        pos: usize,
        last: bool,
    ) -> Step {
        match parsed {
            Some(Ok(used)) => {
                self.count += 1;
                self.text.pos += used;
                self.set_list(Some(false));
                Step::Go
            }
            Some(Err(e)) if e.is_eof() && !last => Step::More,
            Some(Err(e)) => self.serde_broken(&e, pos),
            None => self.out(last),
        }
    }

    fn set_list(&mut self, after: Option<bool>) {
        if let Some(Frame::List(state)) = self.stack.last_mut() {
            *state = after;
        }
    }
}
