//! The list of rows inside a page or at the root: each element parsed by the one-pass
//! scanner or serde_json from the buffered text and handed over as soon as it is whole.

use serde::de::IgnoredAny;
use serde_json::Deserializer;

use super::{Document, Frame, Out, Outcome, RecordSink, Step};
use crate::ingest::json::Row;
use crate::ingest::jsonrow::JsonRow;
use crate::ingest::jsontext::exact;

impl Document {
    pub(super) fn list(&mut self, last: bool, sink: &mut Out) -> Step {
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
            match sink {
                Out::Rows(sink) => {
                    let empty = JsonRow {
                        cells: Default::default(),
                        empty: true,
                    };
                    sink(self.count, None, empty);
                }
                Out::Records(sink) => sink(self.count, None),
            }
            self.text.pos = end;
            self.set_list(Some(false));
            return Step::Go;
        }
        let pos = self.text.pos;
        let rest = &self.text.buf[pos..];
        let sink = match sink {
            Out::Records(records) => return self.record(last, records),
            Out::Rows(sink) => sink,
        };
        if let Some((row, used)) = self.scanner.scan(rest) {
            self.count += 1;
            sink(self.count, None, row);
            self.text.pos += used;
            self.set_list(Some(false));
            return Step::Go;
        }
        let mut stream = Deserializer::from_str(rest).into_iter::<JsonRow>();
        let parsed = match stream
            .next()
            .map(|r| r.map_err(|e| exact::<Row>(rest).unwrap_or(e)))
        {
            Some(Ok(row)) => {
                sink(self.count + 1, None, row);
                Some(Ok(stream.byte_offset()))
            }
            Some(Err(e)) => Some(Err(e)),
            None => None,
        };
        self.settle(parsed, pos, last)
    }

    /// One element of the list as a whole object (records mode).
    fn record(&mut self, last: bool, sink: &mut RecordSink) -> Step {
        let pos = self.text.pos;
        let rest = &self.text.buf[pos..];
        let mut stream = Deserializer::from_str(rest).into_iter::<Row>();
        let parsed = match stream.next() {
            Some(Ok(map)) => {
                sink(self.count + 1, Some(map));
                Some(Ok(stream.byte_offset()))
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
            Some(Err(e)) => {
                self.problem = Some(self.text.serde_problem(&e, pos));
                Step::Stop
            }
            None => self.out(last),
        }
    }

    fn set_list(&mut self, after: Option<bool>) {
        if let Some(Frame::List(state)) = self.stack.last_mut() {
            *state = after;
        }
    }
}
